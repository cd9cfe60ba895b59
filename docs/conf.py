"""Sphinx configuration of the skrnn documentation."""

import os
import warnings

import skrnn

project = "skrnn"
author = "the skrnn developers"
copyright = "2026, the skrnn developers"
version = release = skrnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
autosummary_generate = True
templates_path = ["_templates"]
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

intersphinx_mapping = {}  # CI builds offline: no remote inventories

html_theme = "pydata_sphinx_theme"
html_title = f"skrnn {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # The benchmark table needs the width of the right-hand sidebar.
    "secondary_sidebar_items": {"**": ["page-toc", "sourcelink"],
                                "user_guide/performance": []},
}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "within_subsection_order": "FileNameSortKey",
    "min_reported_time": 0,
}

# Examples run with the plots written to files, no screen.
os.environ.setdefault("MPLBACKEND", "agg")
warnings.filterwarnings("ignore", category=UserWarning,
                        message="Matplotlib is currently using agg")


def _skip_sklearn_members(app, what, name, obj, skip, options):
    # Methods inherited from sklearn (score, get_params, set_*_request, ...)
    # are documented by sklearn, whose cross-references do not resolve here.
    # __init__ is documented by the class's Parameters section.
    module = getattr(obj, "__module__", None) or ""
    return True if module.startswith("sklearn") or name == "__init__" else None


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_members)
