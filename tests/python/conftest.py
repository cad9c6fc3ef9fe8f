"""Shared fixtures of the Python suites. The package under test and the plugins come from
the build tree (PYTHONPATH and ATHLETE_PLUGIN_PATH are set by tests/python/meson.build)."""
import os

import numpy as np
import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "learning: long fixed-seed training runs (Meson suite 'learning')")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Runs the test in a fresh working directory (default checkpoint paths land there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def cli():
    path = os.environ.get("ATHLETE_CLI")
    if not path:
        pytest.fail("ATHLETE_CLI is not set: run the suite through meson test")
    return path


def run_episodes(agent, env, steps, seed=None):
    """The README's training loop for `steps` environment steps; returns every
    (action, agent_info) the agent produced, in order."""
    produced = []
    observation, env_info = env.reset(seed=seed)
    action, agent_info = agent.reset_step(observation, env_info)
    produced.append((action, agent_info))
    for _ in range(steps):
        observation, reward, terminated, truncated, env_info = env.step(action)
        action, agent_info = agent.step(observation, reward, terminated, truncated, env_info)
        produced.append((action, agent_info))
        if terminated or truncated:
            observation, env_info = env.reset()
            action, agent_info = agent.reset_step(observation, env_info)
            produced.append((action, agent_info))
    return produced


def same(a, b):
    """Bitwise equality of what agents return (actions, info dicts, arrays)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    return type(a) is type(b) and a == b
