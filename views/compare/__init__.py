"""The period comparison page: periods, changes, shared classes and the change map."""
