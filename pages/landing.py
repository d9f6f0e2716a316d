"""/tong-quan, the leaders' landing link: opens the overview (served at "/") with the same query."""
import streamlit as st

st.switch_page("pages/overview.py", query_params=st.query_params.to_dict())
