# `make demo` and `make test` are the README's two commands: each sets up what is
# missing (system packages, .venv, the package) and then runs its job.
.PHONY: setup setup-test demo test

OUTREACH = .venv/bin/outreach

setup:
	@bash scripts/bootstrap.sh

setup-test:
	@bash scripts/bootstrap.sh --test

demo: setup
	$(OUTREACH) check
	$(OUTREACH) preview general-warning --village wangmu
	$(OUTREACH) agenda --from 2027-02-18 --to 2027-02-22 --village wangmu
	$(OUTREACH) plan demo -o var/demo-plans --start-in 25 --every 10
	$(OUTREACH) daemon --plans var/demo-plans --exit-after 60
	$(OUTREACH) status

test: setup-test
	.venv/bin/python -m pytest
