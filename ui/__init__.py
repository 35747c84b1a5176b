"""The Gradio chat and the JSON API beside it."""
