"""Secret hygiene: a secret scanner over the repository and the committed notebook outputs, which must
provably come from offline runs and never show a key or a real account id."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PLACEHOLDER_ACCOUNT = "123456789012"  # AWS's documentation account id; the simulator's STS answers with it
# Shapes of real AWS credentials (access key ids start AKIA, or ASIA for temporary ones; gitleaks and
# detect-secrets use this pattern), and a 12-digit account id standing alone.
KEY_ID = re.compile(r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")
ACCOUNT = re.compile(r"(?<![\d.])\d{12}(?![\d])")


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def without_images(path: Path) -> str:
    """A notebook's JSON without image outputs (base64 pixels are noise to a secret scanner, not secrets)."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            for kind in [k for k in output.get("data", {}) if k.startswith("image/")]:
                del output["data"][kind]
    return json.dumps(nb, indent=1, ensure_ascii=False)


def output_texts(path: Path) -> list[tuple[int, str]]:
    """(cell index, text) for every text a committed notebook shows: streams, results, errors."""
    found = []
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        for output in cell.get("outputs", []):
            parts = [output.get("text", "")]
            parts += [v for k, v in output.get("data", {}).items() if not k.startswith("image/")]
            parts += [output.get("evalue", "")] + output.get("traceback", [])
            found.append((index, "".join("".join(p) if isinstance(p, list) else str(p) for p in parts)))
    return found


# Reviewed findings that are not secrets: (what it is, test on the value).
NOT_SECRETS = [
    ("a simulated Claude message id (msg_bdrk_ + base58, as Bedrock shapes them)", lambda v: v.startswith("msg_bdrk_")),
    ("the base58 alphabet the simulator draws those ids from", lambda v: v == "".join(sorted(set(v))) and len(v) == 58),
]


def test_detect_secrets_finds_nothing_in_the_repository_or_notebook_outputs(tmp_path):
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    paths = []
    for path in tracked_files():
        if path.suffix in (".png", ".jpg", ".jpeg", ".gz"):
            continue
        if path.suffix == ".ipynb":
            copy = tmp_path / path.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(without_images(path))
            path = copy
        paths.append(str(path))
    assert len(paths) > 50, "the scan saw the repository"
    secrets = SecretsCollection()
    with default_settings():  # every detect-secrets plugin, default thresholds
        for path in paths:
            secrets.scan_file(path)
    flagged = [
        f"{Path(name).name}:{secret.line_number} {secret.type}"
        for name, secret in secrets
        if not any(test(secret.secret_value or "") for _, test in NOT_SECRETS)
    ]
    assert not flagged, f"possible secrets: {flagged}"


def test_no_file_holds_an_aws_key_id_shape():
    hits = []
    for path in tracked_files():
        if path.suffix in (".png", ".jpg", ".jpeg", ".gz"):
            continue
        text = without_images(path) if path.suffix == ".ipynb" else path.read_text(errors="replace")
        hits += [f"{path.relative_to(ROOT)}: {m.group()}" for m in KEY_ID.finditer(text)]
    assert not hits


def test_the_offline_dummy_keys_do_not_look_like_aws_keys():
    from helpers._setup import DUMMY_CREDENTIALS

    assert not KEY_ID.search(DUMMY_CREDENTIALS.access_key)
    assert "DUMMY" in DUMMY_CREDENTIALS.access_key.upper() and "dummy" in DUMMY_CREDENTIALS.secret_key


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_outputs_come_from_an_offline_run(path):
    """The set-up cell's first output is the mode line, and it says OFFLINE; a live run says LIVE there."""
    cells = json.loads(path.read_text())["cells"]
    setup = next(c for c in cells if c["cell_type"] == "code")
    first = "".join(setup["outputs"][0].get("text", "")) if setup["outputs"] else ""
    assert first.startswith("Bedrock workshop: OFFLINE"), f"{path.name} was not run offline: {first[:80]!r}"
    for index, text in output_texts(path):
        assert "Bedrock workshop: LIVE" not in text, f"{path.name} cell {index} shows live output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_show_no_key_and_no_account_but_the_placeholder(path):
    for index, text in output_texts(path):
        assert not KEY_ID.search(text), f"{path.name} cell {index} prints an AWS key id"
        accounts = set(ACCOUNT.findall(text)) - {PLACEHOLDER_ACCOUNT}
        assert not accounts, f"{path.name} cell {index} prints account-like numbers {accounts}"
        assert "aws_secret_access_key" not in text.lower(), f"{path.name} cell {index} prints a secret key setting"


def test_the_output_checks_catch_what_they_are_for():
    # Key shapes built from parts, so this file holds none itself.
    assert KEY_ID.search("key " + "AKIA" + "IOSFODNN7EXAMPLE here") and KEY_ID.search("ASIA" + "Y34FZKBOKMUTVV7A")
    assert not KEY_ID.search("OFFLINE-WORKSHOP-DUMMY-KEY")
    assert ACCOUNT.findall("arn:aws:iam::210987654321:user/x") == ["210987654321"]
    assert not ACCOUNT.findall("0.123456789012345 and 1234567890123")


def test_the_scanner_flags_a_planted_key(tmp_path):
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    planted = tmp_path / "leak.py"
    # Built from parts so this file itself holds no key-shaped string (AWS's documented example key).
    planted.write_text(f'key_id = "{"AKIA" + "IOSFODNN7EXAMPLE"}"\n')
    secrets = SecretsCollection()
    with default_settings():
        secrets.scan_file(str(planted))
    assert [secret.type for _, secret in secrets] == ["AWS Access Key"]
