"""sendlint: score chat-marketing messages before they are sent.

>>> import sendlint
>>> report = sendlint.Engine().check("Claim your FREE gift now!")
>>> [f.rule for f in report.findings]
['bait_word']
"""

from ._sendlint import (
    Engine,
    Finding,
    History,
    HistoryError,
    InputError,
    Policy,
    PolicyError,
    ReplyHealth,
    Report,
    SendlintError,
    Topic,
    Triage,
    __version__,
    classify_inbound,
)

__all__ = [
    "Engine",
    "Finding",
    "History",
    "HistoryError",
    "InputError",
    "Policy",
    "PolicyError",
    "Report",
    "SendlintError",
    "Topic",
    "Triage",
    "ReplyHealth",
    "classify_inbound",
    "__version__",
]
