"""Two admins disabling each other at the same moment on PostgreSQL: one of them stays an enabled admin.

The first disable holds its transaction open; the second starts while it does. Without the lock on the
active admins' rows the second would count two admins in its snapshot and both accounts would end up
disabled, leaving nobody who can administer the product.
"""

import threading
import time

from sqlalchemy import create_engine, select, text

from app.extensions import db
from app.models import StaffUser
from app.staff import StaffUserError, create_staff_user, set_active
from tests.conftest import PASSWORD


def wait_until_blocked(url, connect_args, thread, timeout=10.0):
    """Until `thread`'s transaction waits for a lock (or it finished without waiting)."""
    watcher = create_engine(url, connect_args=connect_args)
    deadline = time.monotonic() + timeout
    try:
        with watcher.connect() as conn:
            while thread.is_alive() and time.monotonic() < deadline:
                waiting = conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                ).scalar_one()
                if waiting:
                    return
                time.sleep(0.05)
    finally:
        watcher.dispose()


def test_two_admins_disabling_each_other_at_once_leave_one_enabled_admin(pg_app, postgres_url):
    first = create_staff_user(db.session, "a@corp.local", "admin", PASSWORD)
    second = create_staff_user(db.session, "b@corp.local", "admin", PASSWORD)
    db.session.commit()
    a_id, b_id = first.id, second.id
    outcome: dict[str, str] = {}

    def second_admin_disables_the_first():
        with pg_app.app_context():
            try:
                set_active(db.session, db.session.get(StaffUser, b_id), db.session.get(StaffUser, a_id), False)
                db.session.commit()
                outcome["second"] = "disabled the first"
            except StaffUserError:
                db.session.rollback()
                outcome["second"] = "refused"
            finally:
                db.session.remove()

    with pg_app.app_context():
        set_active(db.session, db.session.get(StaffUser, a_id), db.session.get(StaffUser, b_id), False)
        racer = threading.Thread(target=second_admin_disables_the_first)
        racer.start()
        options = pg_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
        wait_until_blocked(postgres_url, options, racer)
        db.session.commit()
        db.session.remove()
    racer.join(timeout=30)

    assert outcome == {"second": "refused"}
    db.session.expire_all()
    enabled_admins = db.session.execute(
        select(StaffUser.email).where(StaffUser.role == "admin", StaffUser.active.is_(True))
    ).scalars()
    assert list(enabled_admins) == ["a@corp.local"]
