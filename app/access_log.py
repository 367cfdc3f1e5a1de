"""A gunicorn logger whose access log never contains invitation tokens or receipt codes."""

import re

from gunicorn.glogging import Logger

SECRET_PATHS = re.compile(r"^/(s|o)/[^/?#]+")
SECRET_QUERY = re.compile(r"(?i)(^|&)(code|token)=[^&]*")


def redact(path: str, query: str) -> tuple[str, str]:
    return SECRET_PATHS.sub(r"/\1/[redacted]", path), SECRET_QUERY.sub(r"\1\2=[redacted]", query)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path, query = redact(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        target = path + ("?" + query if query else "")
        request_line = f"{environ.get('REQUEST_METHOD', '')} {target} {environ.get('SERVER_PROTOCOL', '')}"
        atoms.update({"r": request_line, "U": path, "q": query})
        return atoms
