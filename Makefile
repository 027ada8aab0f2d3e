# Two commands matter: `make run` and `make test`. Both build .venv from the pinned set
# (requirements.lock) when it is missing or older than the lock or pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint dist clean-venv

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "riskdesk 需要 Python 3.11 或更高版本")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/riskdesk

# The lint (ruff: pyflakes, bugbear, isort, pyupgrade) and the type check (mypy, strict on
# models, services and reports; pyproject.toml) run before the tests, and fail them.
lint: $(STAMP)
	$(BIN)/ruff check desktop tests bench tools
	$(BIN)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

test-fast: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m "not slow"

clean-venv:
	rm -rf $(VENV)

# One-folder PyInstaller build in dist/riskdesk (riskdesk: the window; riskdesk-cli: the command
# line, which prints), then the frozen app's own self-test offscreen through riskdesk-cli.
dist: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dist.lock
	$(BIN)/python tools/i18n.py compile
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
	@test -x dist/riskdesk/riskdesk  # the window (console=False: prints nothing on Windows)
	QT_QPA_PLATFORM=offscreen dist/riskdesk/riskdesk-cli selftest
