"""sendlint: score chat-marketing messages before they are sent.

>>> import sendlint
>>> report = sendlint.Engine().check("Claim your FREE gift now!")
>>> [f.rule for f in report.findings]
['bait_word']
"""

from ._sendlint import (
    Audience,
    AudienceError,
    Engine,
    ExpressionError,
    Finding,
    History,
    HistoryError,
    ImportReport,
    ImportStoppedError,
    InputError,
    Policy,
    PolicyError,
    ReplyHealth,
    Report,
    SendlintError,
    Topic,
    Triage,
    __version__,
    pseudonymize,
    classify_inbound,
)
from ._frames import to_frame

__all__ = [
    "Audience",
    "AudienceError",
    "Engine",
    "ExpressionError",
    "Finding",
    "History",
    "HistoryError",
    "ImportReport",
    "ImportStoppedError",
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
    "to_frame",
    "pseudonymize",
]
