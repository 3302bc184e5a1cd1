"""The shared cases of core/testdata/cases.toml, through the Python binding."""

import json
import sys

import pytest

import sendlint

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CASES = tomllib.loads((ROOT / "core/testdata/cases.toml").read_text("utf-8"))["case"]
DEFAULT = sendlint.Engine()


def engine_for(case: dict) -> sendlint.Engine:
    custom = ("policy", "allowed_domains", "own_emails", "own_phones")
    if not any(key in case for key in custom):
        return DEFAULT
    base = sendlint.Policy.strict() if case.get("policy") == "strict" else sendlint.Policy()
    policy = json.loads(base.to_json())
    policy["sender"] = {
        "allowed_domains": case.get("allowed_domains", []),
        "emails": case.get("own_emails", []),
        "phone_numbers": case.get("own_phones", []),
    }
    return sendlint.Engine(sendlint.Policy(json.dumps(policy)))


MESSAGE_RULES = (
    "bait_word",
    "missing_ad_label",
    "mass_mention",
    "invalid_link",
    "risky_link",
    "pii_exposure",
    "missing_opt_out",
)


def enabled_rules(engine: sendlint.Engine) -> set:
    """The message rules the engine's policy runs (the cases carry no history)."""
    rules = json.loads(engine.policy.to_json())["rules"]
    return {rule for rule in MESSAGE_RULES if rules[rule]["enabled"] is True}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shared_case(case: dict) -> None:
    text = case["text"]
    engine = engine_for(case)
    named = set(case.get("expect", [])) | set(case.get("forbid", []))
    assert named <= enabled_rules(engine), "the case names rules its policy never runs"
    report = engine.check(
        text,
        kind=case.get("kind"),
        group=case.get("group"),
        recipients=case.get("recipients"),
        dead_links=case.get("dead_links"),
    )
    fired = {f.rule for f in report.findings}
    assert set(case.get("expect", [])) <= fired, report
    assert not set(case.get("forbid", [])) & fired, report
    for want in case.get("matched", []):
        assert any(
            f.rule in case["expect"] and f.matched and want in f.matched for f in report.findings
        ), (want, report)
    if "expect_kind" in case:
        assert report.kind == case["expect_kind"]
    for finding in report.findings:
        if finding.span is None:
            assert finding.matched is None
        else:
            start, end = finding.span
            assert text[start:end] == finding.matched
