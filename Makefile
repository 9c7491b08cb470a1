# `make demo` and `make test` are the README's two commands: each sets up what is
# missing (system packages, .venv, the package) and then runs its job.
.PHONY: setup demo test

setup:
	@bash scripts/bootstrap.sh

demo: setup
	.venv/bin/outreach check
	.venv/bin/outreach scripts
	.venv/bin/outreach preview general-warning --village wangmu --mode print
	.venv/bin/outreach preview general-warning --village wangmu --mode speech --lang cmn
	.venv/bin/outreach audio general-warning --village wangmu

test: setup
	.venv/bin/python -m pytest
