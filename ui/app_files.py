"""Where the app's script files are: beside `ui/` in a checkout, or in `ui/app/` of an installed wheel.

A checkout runs `app.py` and `pages/` from its own folder. `pip install` of the project (setup.py) copies them,
with `.streamlit/config.toml`, into the package as `ui/app/`, so Streamlit's multipage layout (pages/ beside
the main script) holds there too and nothing named `app` or `pages` lands in site-packages.
Light on purpose: no Streamlit import, so the server can ask before it starts one.
"""

import tomllib
from pathlib import Path

_UI = Path(__file__).resolve().parent


def app_dir() -> Path:
    """The folder holding `app.py` and `pages/`: the checkout's, else the installed copy."""
    checkout = _UI.parent
    return checkout if (checkout / "app.py").is_file() else _UI / "app"


def app_script() -> Path:
    return app_dir() / "app.py"


def config_flags(given: list[str]) -> list[str]:
    """The project's `.streamlit/config.toml` as `streamlit run` options, for every option not in `given`.

    Streamlit reads that file only from the folder it is started in; the installed command starts anywhere.
    """
    path = app_dir() / ".streamlit" / "config.toml"
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    flags = []
    for section, options in config.items():
        for key, value in options.items() if isinstance(options, dict) else ():
            option = f"--{section}.{key}"
            if any(arg == option or arg.startswith(option + "=") for arg in given):
                continue
            flags += [option, str(value).lower() if isinstance(value, bool) else str(value)]
    return flags
