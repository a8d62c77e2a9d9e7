"""The workspace files the package ships: the stage notebooks, the demo and example profiles, the schema.

In the checkout they live at the top (the design's layout); a wheel carries a copy under
``launch_audit/workspace/shipped/``, made at build time by setup.py (which reads this list; MANIFEST.in lists
the same files for the sdist). Only these names: a consultant's checkout may hold real client profiles."""

FILES = (
    "notebooks/*.ipynb",
    "client_profiles/example.yaml",
    "client_profiles/demo.yaml",
    "client_profiles/demo-hardened.yaml",
    "client_profiles/profile.schema.json",
    "outputs/README.md",
)

# inside the installed package, relative to launch_audit/workspace/
PACKAGED_DIR = "shipped"
