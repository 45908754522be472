"""API key management from the shell (honours MATCHER_HOME), e.g.

    python -m api.keys create --role employer --subject 重庆示例物业服务有限公司
    python -m api.keys create --role admin --subject ops --json
    python -m api.keys list
    python -m api.keys revoke 1a2b3c4d
    python -m api.keys demo          # one key per role for the demo world (prints the secrets once)

The secret is printed once; the database keeps only its SHA-256.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from api.auth import ROLES, KeyStore
from matcher.config import get_settings
from matcher.store import Store


def demo_subjects(store: Store) -> list[tuple[str, str]]:
    """(role, subject) pairs that fit the data in the store: a consenting trainee, an employer with open
    postings, the course provider with the most enrolled trainees, the office and an admin."""
    trainee = next((p["id"] for p in store.profiles() if p.get("consent_employer_search")), "T000001")
    employer = next(
        (p["employer"] for p in store.payloads("postings") if p.get("status", "open") == "open"),
        "重庆示例物业服务有限公司",
    )
    # the provider with the most enrolled trainees: a trainer sees its own courses' trainees only
    provider_of = {c["id"]: c["provider"] for c in store.payloads("courses")}
    enrolled = Counter(provider_of.get(r["course_id"]) for r in store.payloads("training_records"))
    enrolled.pop(None, None)
    provider = (
        enrolled.most_common(1)[0][0] if enrolled else next(iter(provider_of.values()), "重庆示例职业技能培训学校")
    )
    return [
        ("trainee", trainee),
        ("employer", employer),
        ("trainer", provider),
        ("office", "重庆市人社局就业办"),
        ("admin", "ops"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.keys", description="API 密钥管理 / API key management")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="签发密钥（只显示一次）")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--subject", required=True, help="学员 id / 单位名称 / 培训机构名称 / 办公室 / 管理员")
    create.add_argument("--label", default=None)
    create.add_argument("--json", action="store_true")
    lst = sub.add_parser("list", help="列出密钥（不含密钥本身）")
    lst.add_argument("--json", action="store_true")
    revoke = sub.add_parser("revoke", help="吊销密钥")
    revoke.add_argument("key_id")
    demo = sub.add_parser("demo", help="为示范数据每个角色签发一个密钥")
    demo.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    keys = KeyStore(Store.from_settings(get_settings()))
    if args.command == "create":
        try:
            info, secret = keys.create(args.role, args.subject, args.label)
        except ValueError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps({**info, "secret": secret}, ensure_ascii=False))
        else:
            print(f"{info['role']} · {info['subject']} · key_id {info['key_id']}", file=sys.stderr)
            print("密钥只显示这一次，请妥善保存 / shown once, store it safely:", file=sys.stderr)
            print(secret)
        return 0
    if args.command == "list":
        rows = keys.list(0, 10_000)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for r in rows:
                state = f"revoked {r['revoked_at']}" if r["revoked_at"] else "active"
                print(f"{r['key_id']}  {r['role']:8s}  {r['subject']}  {r['label'] or ''}  ({state})")
        return 0
    if args.command == "revoke":
        if not keys.revoke(args.key_id):
            print(f"密钥 {args.key_id} 不存在或已吊销", file=sys.stderr)
            return 1
        return 0
    out = []
    for role, subject in demo_subjects(keys.store):
        info, secret = keys.create(role, subject, "demo")
        out.append({**info, "secret": secret})
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in out:
            print(f"{r['role']:8s}  {r['subject']}\n          {r['secret']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
