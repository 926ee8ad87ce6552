"""The tests import the module built in build/python (CTest sets PYTHONPATH); run by hand with
PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python."""
