#!/usr/bin/env python3
"""Seeds a fresh thidua server through its HTTP API for the schemathesis run.

Creates two units (A and B), an officer for each, a bloc whose chair is A, an open movement with
a registration of each unit, persons in both units, a goal of each unit, a draft midyear review
of the bloc hosted by A with its focus tasks, and two throwaway accounts for the
operations that would lock the main run out of itself. Writes a Web Fuzzing Commons auth file
and prints `NAME=value` lines (ids of the throwaway accounts) for the caller to export.

Usage: seed.py BASE_URL ADMIN_PASSWORD AUTH_FILE
"""

import json
import sys
import urllib.error
import urllib.request

BASE, ADMIN_PASSWORD, AUTH_FILE = sys.argv[1], sys.argv[2], sys.argv[3]
API = BASE + "/api/v1"
PASSWORD = "a-long-enough-password"
YEAR = 2026


def call(method, path, token=None, body=None, headers=None, content_type="application/json"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            raw = res.read()
            return res.status, res.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        sys.exit(f"seed: {method} {path} -> {e.code}: {e.read().decode(errors='replace')}")


def create(path, token, body):
    status, _, obj = call("POST", path, token, body)
    assert status == 201, (path, status, obj)
    return obj


def login(username, password):
    _, _, obj = call("POST", "/auth/login", body={"username": username, "password": password})
    return obj["access_token"]


admin = login("admin", ADMIN_PASSWORD)
unit = {}
for key, code, name in (("a", "ST-SCT", "Sở Công thương"), ("b", "ST-STC", "Sở Tài chính")):
    unit[key] = create("/units", admin, {
        "code": code, "name": name, "kind": "administrative", "admin_level": "province",
        "valid_from": "2008-04-01", "address": "Phường Mường Thanh, Điện Biên Phủ",
    })["id"]
bloc = create("/blocs", admin, {
    "code": "ST-K1", "name": "Khối các sở kinh tế", "kind": "bloc", "level": "province",
    "active_from": 2020,
})["id"]
status, _, _ = call("PUT", f"/blocs/{bloc}/members/{YEAR}", admin, {
    "members": [{"unit_id": unit["a"], "role": "chair"}, {"unit_id": unit["b"], "role": "member"}],
}, headers={"If-Match": "*"})
assert status == 200, status
movement = create("/movements", admin, {
    "name": "Phong trào thi đua tiết kiệm năng lượng", "scope": "province", "form": "regular",
    "start_date": "2026-03-15", "end_date": "2030-12-31",
})["id"]
status, _, _ = call("POST", f"/movements/{movement}/transitions", admin, {"action": "open"})
assert status == 200, status
tokens = {}
for key in ("a", "b"):
    create("/persons", admin, {"full_name": "Nguyễn Văn An", "unit_id": unit[key],
                               "gender": "male", "birth_year": 1978, "position": "Giám đốc"})
    create("/persons", admin, {"full_name": "Lê Thị Hoa", "unit_id": unit[key]})
    name = f"st.officer.{key}"
    create("/users", admin, {"username": name, "password": PASSWORD, "role": "unit_officer",
                             "unit_id": unit[key], "full_name": f"Cán bộ {key.upper()}"})
    tokens[key] = login(name, PASSWORD)
    create(f"/movements/{movement}/registrations", tokens[key],
           {"unit_id": unit[key], "pledge": "Giảm 10% chi phí điện, nước"})
    create(f"/units/{unit[key]}/goals", tokens[key], {
        "year": YEAR, "period": "year", "title": "Giải quyết hồ sơ thủ tục hành chính đúng hạn",
        "unit_of_measure": "%", "direction": "higher", "target": "95", "actual": "97.5"})
create(f"/blocs/{bloc}/reviews", admin, {
    "kind": "midyear", "year": YEAR, "period": "h1", "held_on": f"{YEAR}-07-29",
    "place": "Hội trường Sở Công thương", "host_unit_id": unit["a"],
    "chair_name": "Ngôn Ngọc Khuê, Phó Giám đốc phụ trách",
    "attendees": [{"name": "Trần Đại Nghĩa", "position": "Phó Ban Thi đua – Khen thưởng tỉnh"}],
    "achievements": "Các đơn vị trong Khối hoàn thành tốt các nhiệm vụ 6 tháng đầu năm",
    "focus_tasks": [{"text": "Đẩy mạnh phong trào thi đua tiết kiệm năng lượng",
                     "owner_unit_ids": [unit["a"], unit["b"]], "movement_id": movement}],
    "awards": [{"unit_id": unit["b"], "award_name": "Cờ thi đua"}],
})
# The bloc-year's covenant with its criteria, and a self-assessment of each unit, so that the
# covenant, criteria, score sheet and ranking operations reach real objects.
covenant = create(f"/blocs/{bloc}/covenants", admin, {
    "year": YEAR, "signed_on": f"{YEAR}-02-20", "place": "Hội trường Sở Công thương",
    "content": "Thi đua hoàn thành xuất sắc nhiệm vụ chính trị",
    "signatory_unit_ids": [unit["a"], unit["b"]],
})["id"]
_, headers, _ = call("GET", f"/covenants/{covenant}/criteria", admin)
status, _, _ = call("PUT", f"/covenants/{covenant}/criteria", admin, {
    "groups": [{"name": "Thực hiện nhiệm vụ chính trị", "criteria": [
        {"code": "1.1", "content": "Hoàn thành các chỉ tiêu, nhiệm vụ được UBND tỉnh giao",
         "max_points": 50, "max_bonus_points": 5, "mandatory": True, "step": 0.5},
        {"code": "1.2", "content": "Cải cách hành chính", "max_points": 30, "step": 0.25},
    ]}],
    "bands": [{"label": "Xuất sắc", "min_points": 70, "max_points": 85},
              {"label": "Khá", "min_points": 0, "max_points": 69.99}],
}, headers={"If-Match": headers["ETag"]})
assert status == 200, status
for key in ("a", "b"):
    sheet = create("/score-sheets", tokens[key], {"covenant_id": covenant, "unit_id": unit[key],
                                                  "period": "h1", "kind": "self"})
    _, headers, _ = call("GET", f"/score-sheets/{sheet['id']}", tokens[key])
    status, _, _ = call("PUT", f"/score-sheets/{sheet['id']}/entries/1.1", tokens[key],
                        {"points": 45.5, "evidence": "Báo cáo sơ kết 6 tháng đầu năm"},
                        headers={"If-Match": headers["ETag"]})
    assert status == 200, status
create("/users", admin, {"username": "st.chair", "password": PASSWORD, "role": "bloc_chair",
                         "bloc_ids": [bloc]})
# Accounts for the operations that would lock the main run out (see schemathesis.toml).
create("/users", admin, {"username": "st.accounts", "password": PASSWORD, "role": "admin"})
target = create("/users", admin, {"username": "st.target", "password": PASSWORD,
                                  "role": "viewer"})["id"]
create("/users", admin, {"username": "st.session", "password": PASSWORD, "role": "viewer"})


def entry(name, token):
    return {"name": name, "fixedHeaders": [{"name": "Authorization", "value": "Bearer " + token}]}


# One file for every run; each run pins its identity (`--auth-wfc-user`), and the officers are
# the peers whose reads object_level_authorization replays as each other.
with open(AUTH_FILE, "w", encoding="utf-8") as f:
    json.dump({"auth": [entry("admin", admin), entry("officer_a", tokens["a"]),
                        entry("officer_b", tokens["b"]),
                        entry("accounts", login("st.accounts", PASSWORD)),
                        entry("session", login("st.session", PASSWORD))]}, f, indent=2)
print(f"ST_TARGET_USER_ID={target}")
print(f"ST_UNIT_A={unit['a']}")
