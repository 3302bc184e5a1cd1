"""sendlint: score chat-marketing messages before they are sent.

>>> import sendlint
>>> report = sendlint.Engine().check("Claim your FREE gift now!")
>>> [f.rule for f in report.findings]
['bait_word']
"""

from ._sendlint import (
    Engine,
    Finding,
    InputError,
    Policy,
    PolicyError,
    Report,
    SendlintError,
    __version__,
)

__all__ = [
    "Engine",
    "Finding",
    "InputError",
    "Policy",
    "PolicyError",
    "Report",
    "SendlintError",
    "__version__",
]
