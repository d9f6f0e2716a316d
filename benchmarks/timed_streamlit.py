"""Run ``streamlit`` with every script run timed by the server itself.

    python benchmarks/timed_streamlit.py RUNLOG run app.py [streamlit options...]

Each finished script run appends one line to RUNLOG: the page script's path and the run's wall
time in milliseconds (from the start of the run to the end, as ScriptRunner sees it). The app is
not changed in any way; only ScriptRunner._run_script is wrapped in this process.
"""
import sys
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli


def main() -> None:
    runlog = sys.argv.pop(1)
    original = script_runner.ScriptRunner._run_script

    def timed(self, rerun_data):
        started = time.perf_counter()
        try:
            return original(self, rerun_data)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            with open(runlog, "a", encoding="utf-8") as log:
                log.write(f"{rerun_data.page_script_hash or '-'}\t{elapsed:.2f}\n")

    script_runner.ScriptRunner._run_script = timed
    sys.argv[0] = "streamlit"
    cli.main()


if __name__ == "__main__":
    main()
