"""athlete.register: an algorithm written in Python with the original's component protocol,
driven by the runtime's step sequence."""
import numpy as np
import pytest

import athlete
from conftest import run_episodes, same

DEFAULTS = {"discount": 0.95, "learning_rate": 0.5, "start_epsilon": 1.0, "end_epsilon": 0.05,
            "epsilon_decay_steps": 5000}


class Transition:
    """What the collector hands the update (the original's shared data provider)."""
    data = None


class TransitionCollector:
    def __init__(self, shared):
        self.shared = shared
        self.previous = None
        self.policy_infos = 0

    def collect_reset(self, observation, environment_info):
        self.previous = observation
        return False

    def collect(self, action, observation, reward, terminated, truncated, environment_info, policy_info):
        assert isinstance(action, int) and isinstance(observation, int)
        self.policy_infos += "epsilon" in policy_info
        self.shared.data = (self.previous, action, reward, observation, terminated)
        self.previous = observation
        return True


class QTableUpdate:
    def __init__(self, table, shared, tracker, configuration):
        self.table, self.shared, self.tracker = table, shared, tracker
        self.discount = configuration["discount"]
        self.learning_rate = configuration["learning_rate"]
        self.updated = 0

    @property
    def update_condition(self):
        return self.tracker.data_points > self.updated  # a new transition arrived

    def update(self):
        s, a, r, s2, terminated = self.shared.data
        target = r + (0.0 if terminated else self.discount * self.table[s2].max())
        error = target - self.table[s, a]
        self.table[s, a] += self.learning_rate * error
        self.updated = self.tracker.data_points
        return {"loss": abs(float(error))}


class UpdateRule:
    def __init__(self, *components):
        self.updatable_components = components


def greedy(table, observation, rng):
    best = np.flatnonzero(table[observation] == table[observation].max())
    return int(best[0] if len(best) == 1 else rng.choice(best))


class EpsilonGreedy:
    def __init__(self, table, tracker, rng, configuration):
        self.table, self.tracker, self.rng = table, tracker, rng
        self.start, self.end = configuration["start_epsilon"], configuration["end_epsilon"]
        self.decay = configuration["epsilon_decay_steps"]

    def act(self, observation):
        progress = min(1.0, self.tracker.interactions / self.decay)
        epsilon = self.start + (self.end - self.start) * progress
        if self.rng.random() < epsilon:
            return int(self.rng.integers(self.table.shape[1])), {"greedy": False, "epsilon": epsilon}
        return greedy(self.table, observation, self.rng), {"greedy": True, "epsilon": epsilon}


class Greedy:
    def __init__(self, table, rng):
        self.table, self.rng = table, rng

    def act(self, observation):
        return greedy(self.table, observation, self.rng), {}


def make_components(observation_space, action_space, configuration):
    if not isinstance(observation_space, athlete.spaces.Discrete):
        raise ValueError(f"py_q_learning needs a Discrete observation space, got {observation_space}")
    tracker = athlete.current_step_tracker()
    rng = np.random.default_rng(athlete.current_seed())
    table = np.zeros((observation_space.n, action_space.n))
    shared = Transition()
    return (TransitionCollector(shared),
            UpdateRule(QTableUpdate(table, shared, tracker, configuration)),
            EpsilonGreedy(table, tracker, rng, configuration),
            Greedy(table, np.random.default_rng(rng.integers(2**63))))


athlete.register(
    id="py_q_learning",
    component_factory=make_components,
    default_configuration=DEFAULTS
)


def test_registered_algorithm_is_listed_with_its_defaults():
    assert "py_q_learning" in athlete.list_algorithms()
    assert athlete.get_default_configuration("py_q_learning") == DEFAULTS


def test_python_q_learning_solves_frozen_lake():
    env = athlete.envs.make("FrozenLake-v1", is_slippery=False)
    agent = athlete.make("py_q_learning", env.observation_space, env.action_space, seed=7, learning_rate=0.8)
    produced = run_episodes(agent, env, 8000, seed=7)
    losses = [info["loss"] for _, info in produced if "loss" in info]
    assert len(losses) == 8000  # one update per transition, through the core's sequence
    assert agent.step_counts["interactions"] == 8000

    agent.eval()
    successes = 0
    for episode in range(10):
        observation, _ = env.reset(seed=100 + episode)
        action, _ = agent.reset_step(observation)
        done, episode_return = False, 0.0
        while not done:
            observation, reward, terminated, truncated, _ = env.step(action)
            episode_return += reward
            done = terminated or truncated
            if not done:
                action, _ = agent.step(observation)
        successes += episode_return == 1.0
    assert successes == 10


def test_python_algorithm_is_reproducible_and_checkpoints(in_tmp):
    env = athlete.envs.make("FrozenLake-v1", is_slippery=False)

    def fresh():
        return athlete.make("py_q_learning", env.observation_space, env.action_space, seed=11)

    first, second = fresh(), fresh()
    assert same(run_episodes(first, env, 2000, seed=1), run_episodes(second, env, 2000, seed=1))

    path = first.save_checkpoint("py.ckpt")
    state = env.get_state()
    expected = run_episodes(first, env, 1000)
    loaded = athlete.from_checkpoint(path)
    env.set_state(state)
    assert loaded.step_counts == second.step_counts
    assert same(run_episodes(loaded, env, 1000), expected)


def test_factory_errors_reach_make():
    cartpole = athlete.envs.make("CartPole-v1")
    with pytest.raises(ValueError, match="^py_q_learning needs a Discrete observation space, got Box"):
        athlete.make("py_q_learning", cartpole.observation_space, cartpole.action_space)
    with pytest.raises(RuntimeError, match="only available inside a component factory"):
        athlete.current_step_tracker()
