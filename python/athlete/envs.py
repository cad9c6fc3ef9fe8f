"""The runtime's built-in environments with Gymnasium's API.

``athlete.envs.make("CartPole-v1")`` returns an environment whose ``reset(seed=None,
options=None)`` gives ``(observation, info)`` and ``step(action)`` gives ``(observation,
reward, terminated, truncated, info)``, step for step identical to Gymnasium's (the random
initial states differ from Gymnasium's for the same seed: they come from the runtime's
own generator).
"""
import json

from . import _athlete
from .spaces import _from_json

__all__ = ["make", "ids", "Env"]


class Env(_athlete.Env):
    """A built-in environment (made by :func:`make`)."""

    def __init__(self, id, options_json=None):
        super().__init__(id, options_json)
        self.observation_space = _from_json(self._space_json(0))
        self.action_space = _from_json(self._space_json(1))

    @property
    def unwrapped(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"athlete.envs.Env({self.id!r})"


def make(id, **options):
    """``gym.make(id, **options)``: options as keyword arguments (``is_slippery=False``,
    ``max_episode_steps=100``, ...). ``render_mode`` is not supported."""
    return Env(id, json.dumps(options) if options else None)


def ids():
    """The built-in environment ids."""
    return _athlete.env_ids()
