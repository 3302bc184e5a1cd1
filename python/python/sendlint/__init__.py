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
    Report,
    SendlintError,
    Topic,
    __version__,
)
from ._frames import to_frame

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
    "__version__",
    "to_frame",
]
