"""Athlete: one API for reinforcement-learning agents, the counterpart of Gymnasium.

The original ``rl-athlete`` API on the C runtime: ``athlete.make("dqn",
observation_space=env.observation_space, action_space=env.action_space, seed=42)``, then
``agent.reset_step(observation)`` and ``agent.step(observation, reward, terminated,
truncated)``. Algorithms are the runtime's plugins, found on ``ATHLETE_PLUGIN_PATH`` and
in the installed plugin directory (``athlete.installed_plugin_dir``).
"""
import json

import numpy as np

from . import _athlete, envs, spaces
from ._athlete import Policy as _Policy
from ._athlete import StepTracker, current_seed, current_step_tracker

__all__ = ["make", "from_checkpoint", "list_algorithms", "get_default_configuration", "register",
           "load_policy", "Agent", "Policy", "StepTracker", "current_step_tracker", "current_seed", "spaces", "envs"]

installed_plugin_dir = _athlete.installed_plugin_dir


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not a configuration value (bool, number, string, list, dict or None)")


def _dumps(value):
    return json.dumps(value, default=_json_default, allow_nan=False)


class Agent(_athlete.Agent):
    """An agent (made by :func:`make` or :func:`from_checkpoint`).

    ``reset_step``, ``step``, ``train``, ``eval``, ``save_checkpoint`` and ``save_policy``
    are the runtime's; an algorithm's extension methods are methods too
    (``agent.epsilon()``), or ``agent.call("epsilon")``. An agent is not thread-safe.
    """

    @property
    def observation_space(self):
        space = self.__dict__.get("_observation_space")
        return space if space is not None else spaces._from_json(self._space_json(0))

    @property
    def action_space(self):
        space = self.__dict__.get("_action_space")
        return space if space is not None else spaces._from_json(self._space_json(1))

    @property
    def configuration(self):
        """The merged configuration (a fresh dict)."""
        return json.loads(self._configuration_json())

    def methods(self):
        """The algorithm's extension methods: {name: (signature, summary)}."""
        return {name: (signature, summary) for name, signature, summary in self._methods()}

    def call(self, name, *args):
        """Calls the extension method `name` with `args`; returns its result."""
        return json.loads(self._call(name, _dumps(list(args))))

    def __getattr__(self, name):
        if not name.startswith("_"):
            for method, _, summary in self._methods():
                if method == name:
                    def call(*args, _name=name):
                        return self.call(_name, *args)
                    call.__name__ = name
                    call.__doc__ = summary
                    return call
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self):
        mode = "training" if self.training else "evaluation"
        return f"<athlete.Agent {self.algorithm_id!r} ({mode} mode)>"


class Policy(_Policy):
    """An inference-only policy (:func:`load_policy`): ``act(observation) -> action``."""

    @property
    def observation_space(self):
        return spaces._from_json(self._space_json(0))

    @property
    def action_space(self):
        return spaces._from_json(self._space_json(1))


def make(algorithm_id, observation_space, action_space, seed=None, **overrides):
    """A new agent of `algorithm_id` for these spaces, in training mode.

    Overrides are keyword arguments over the algorithm's defaults; nested ones as dicts
    (``optimizer_arguments={"lr": 1e-3}``, merged key by key). Unknown keys, wrong types
    and out-of-range values raise (ValueError, TypeError) with the runtime's message.
    `seed` None draws a random seed; 0 is a real seed.
    """
    obs_json, _ = spaces._to_json(observation_space, "observation_space")
    act_json, act_dtype = spaces._to_json(action_space, "action_space")
    agent = Agent._create(algorithm_id, obs_json, act_json, seed,
                          _dumps(overrides) if overrides else None, act_dtype)
    agent._observation_space = observation_space
    agent._action_space = action_space
    return agent


def from_checkpoint(checkpoint_path, load_environment_state=False):
    """The agent saved at `checkpoint_path` (training mode). With load_environment_state
    the episode in progress continues: the next call is ``step``."""
    return Agent._from_checkpoint(checkpoint_path, bool(load_environment_state))


def load_policy(path):
    """An inference-only policy from a file written by ``agent.save_policy(path)``."""
    return Policy._load(path)


def list_algorithms():
    """Registered algorithm ids, in registration order."""
    return _athlete.list_algorithms()


def get_default_configuration(algorithm_id):
    """The defaults of `algorithm_id` (a fresh dict: changing it changes nothing)."""
    return json.loads(_athlete.default_configuration(algorithm_id))


def register(id, component_factory, default_configuration):
    """Registers an algorithm written in Python.

    ``component_factory(observation_space, action_space, configuration)`` returns
    ``(data_collector, update_rule, training_policy, evaluation_policy)``:
    the collector has ``collect(action, observation, reward, terminated, truncated,
    environment_info, policy_info) -> bool`` and ``collect_reset(observation,
    environment_info) -> bool``; the update rule has ``updatable_components`` (in update
    order), each with ``update() -> dict`` and a boolean ``update_condition``; policies
    have ``act(observation) -> (action, info)`` and optionally ``reset_act``. Inside the
    factory, ``athlete.current_step_tracker()`` is the new agent's step tracker and
    ``athlete.current_seed()`` its seed (for the components' random generators). The
    runtime drives them through the same step sequence as its plugins; checkpoints pickle
    the components together.
    """
    _athlete.register(id, component_factory, _dumps(default_configuration))


def blas_info():
    """(OpenBLAS kernel, threads, whether the kernel is a generic pre-AVX2 one)."""
    return _athlete.blas_info()


def plugin_diagnostics():
    """(path, message, loaded) for every file the plugin scan looked at."""
    return _athlete.plugin_diagnostics()
