"""Running the assistant: the same code for `make run`, the tests and the benchmarks.

- `environment`: ports, environment variables and server settings, in one place;
- `processes`: start, wait for and stop the action and Rasa servers;
- `serve`: `make run` (and the action server of `make shell`);
- `traffic`: simulated patients over REST, every reply checked;
- `soak`: `make soak`; `retention`: `make retention`;
- `stats`: percentiles and process memory.
"""
