"""Streamlit pages of the Optimizer Playground (thin: widgets, cached engine calls, figures)."""
