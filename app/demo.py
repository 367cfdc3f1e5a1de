"""A believable demo organisation: about 300 people in a three-level organisation.

Deterministic (seeded) so screenshots and tests see the same data every time. Survey data is added
by `seed_surveys` once campaigns exist.
"""
import random

from app.people.directory import apply_import
from app.people.importer import PersonRow

REGIONS = {
    "华东区": ["杭州门店", "上海门店", "南京门店", "区域办公室"],
    "华南区": ["广州门店", "深圳门店", "区域办公室"],
    "华北区": ["北京门店", "天津门店", "区域办公室"],
}
HEADQUARTERS = ["财务部", "人力资源部", "信息技术部", "运营管理部"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬辉鹏飞宇浩然思雨欣怡子轩梓涵一诺佳琪晨曦雪梅建国志强海燕文博晓东丹丹"


def demo_people(seed: int = 2026, size: int = 300) -> list[PersonRow]:
    rng = random.Random(seed)
    units = [f"总部/{region}/{unit}" for region, items in REGIONS.items() for unit in items]
    units += [f"总部/总部职能/{dept}" for dept in HEADQUARTERS]
    weights = [14 if "门店" in u else 5 for u in units]
    rows = []
    for index in range(size):
        department = rng.choices(units, weights)[0]
        in_store = "门店" in department
        role = rng.choices(
            ["employee", "manager", "executive", "digital_admin"],
            [80, 15, 1, 4] if in_store else [45, 30, 10, 15],
        )[0]
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        wave = "第一批" if department.split("/")[1] == "华东区" else ("第二批" if "华南" in department else "第三批")
        if "总部职能" in department:
            wave = "第一批"
        employee_id = f"E{10001 + index}"
        rows.append(PersonRow(row_number=index + 2, employee_id=employee_id, name=name,
                              email=f"{employee_id.lower()}@example.com", department=department,
                              role=role, wave=wave))
    return rows


def seed_people(session, seed: int = 2026, size: int = 300):
    return apply_import(session, demo_people(seed, size))
