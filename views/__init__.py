"""View models without Streamlit: what each screen shows, computed from the domain packages, one
sub-package per feature. Pages and ``ui`` render them; nothing here imports Streamlit."""
