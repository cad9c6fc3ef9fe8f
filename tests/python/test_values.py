"""Values between Python and the runtime, the built-in environments' Gymnasium API,
duck-typed spaces, saved policies, extension methods and threads."""
import sys
import threading

import numpy as np
import pytest

import athlete
from conftest import run_episodes, same


class GymLikeBox:
    """Looks like gymnasium.spaces.Box without being one."""

    def __init__(self, low, high, shape, dtype):
        self.low, self.high, self.shape, self.dtype = low, high, shape, dtype


class GymLikeDiscrete:
    def __init__(self, n, start=0):
        self.n, self.start = n, start


def test_environment_api_is_gymnasiums():
    env = athlete.envs.make("CartPole-v1")
    assert env.observation_space.shape == (4,) and env.observation_space.dtype == np.float32
    assert isinstance(env.action_space, athlete.spaces.Discrete) and env.action_space.n == 2
    assert env.max_episode_steps == 500
    observation, info = env.reset(seed=0)
    assert observation.dtype == np.float32 and observation.shape == (4,) and info == {}
    again, _ = env.reset(seed=0)
    assert same(observation, again)
    observation, reward, terminated, truncated, info = env.step(1)
    assert (type(reward), type(terminated), type(truncated), info) == (float, bool, bool, {})
    assert reward == 1.0
    lake = athlete.envs.make("FrozenLake-v1", map_name="8x8", max_episode_steps=3)
    observation, _ = lake.reset(seed=1)
    assert observation == 0 and type(observation) is int and lake.observation_space.n == 64
    for _ in range(3):
        observation, reward, terminated, truncated, _ = lake.step(np.int64(0))
    assert truncated or terminated
    assert sorted(athlete.envs.ids())[:2] == ["Acrobot-v1", "CartPole-v1"]


def test_box_actions_have_the_space_dtype_and_discrete_actions_are_ints():
    pendulum = athlete.envs.make("Pendulum-v1")
    agent = athlete.make("ddpg", pendulum.observation_space, pendulum.action_space, seed=0)
    observation, _ = pendulum.reset(seed=0)
    action, info = agent.reset_step(observation)
    assert isinstance(action, np.ndarray) and action.dtype == np.float32 and action.shape == (1,)
    action, info = agent.step(observation, -1.0, False, False)
    assert info["unscaled_action"].dtype == np.float32 and info["unscaled_action"].shape == (1,)
    pendulum.step(action)  # the environment takes the action as it is

    box64 = GymLikeBox(np.array([-2.0]), np.array([2.0]), (1,), np.float64)
    agent64 = athlete.make("ddpg", pendulum.observation_space, box64, seed=0)
    action, _ = agent64.reset_step(observation)
    assert action.dtype == np.float64 and -2.0 <= action[0] <= 2.0

    cartpole = athlete.envs.make("CartPole-v1")
    dqn = athlete.make("dqn", cartpole.observation_space, GymLikeDiscrete(2), seed=0)
    action, info = dqn.reset_step([0.0, 0.0, 0.0, 0.0])
    assert type(action) is int and set(info) <= {"loss"}
    action, info = dqn.step([0.0, 0.1, 0.0, 0.0], 1.0, False, False)
    assert type(action) is int and type(info["greedy"]) is bool and type(info["epsilon"]) is float


def test_observations_from_float64_arrays_lists_and_float32_agree():
    cartpole = athlete.envs.make("CartPole-v1")
    values = [0.01, -0.02, 0.03, 0.04]
    actions = []
    for form in (np.array(values, np.float32), np.array(values, np.float64), values, tuple(values)):
        agent = athlete.make("dqn", cartpole.observation_space, cartpole.action_space, seed=4)
        if isinstance(form, np.ndarray) and form.dtype == np.float64:
            form = form.astype(np.float32).astype(np.float64)  # the same float32 values
        actions.append([agent.reset_step(form)[0]] + [agent.step(form, 1.0, False, False)[0] for _ in range(20)])
    assert all(a == actions[0] for a in actions)


def test_discrete_observations_from_python_and_numpy_integers():
    lake = athlete.envs.make("FrozenLake-v1")
    for observation in (3, np.int64(3), np.int32(3), np.array(3)):
        agent = athlete.make("q_learning", lake.observation_space, lake.action_space, seed=0)
        action, _ = agent.reset_step(observation)
        assert type(action) is int and 0 <= action < 4


def test_discrete_start_reaches_the_runtime():
    lake = athlete.envs.make("FrozenLake-v1")
    with pytest.raises(ValueError, match=r"^q_learning: q_learning needs a Discrete action space starting at 0, "
                                         r"got Discrete\(4, start=10\)$"):
        athlete.make("q_learning", lake.observation_space, GymLikeDiscrete(4, start=10), seed=0)


def test_saved_policy_acts_like_the_evaluation_policy(tmp_path):
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make("dqn", env.observation_space, env.action_space, seed=2, warmup_steps=100,
                         value_network_arguments={"hidden_dims": [32, 32]})
    run_episodes(agent, env, 600, seed=2)
    path = agent.save_policy(str(tmp_path / "cartpole.policy"))
    policy = athlete.load_policy(path)
    assert policy.algorithm_id == "dqn" and policy.action_space == athlete.spaces.Discrete(2)
    agent.eval()
    observation, _ = env.reset(seed=9)
    assert policy.reset_act(observation) == agent.reset_step(observation)[0]
    for _ in range(100):
        observation, _, terminated, truncated, _ = env.step(policy.act(observation))
        if terminated or truncated:
            observation, _ = env.reset()
        assert policy.act(observation) == agent.step(observation)[0]
    with pytest.raises(ValueError, match="is a policy-only file, not a full checkpoint"):
        athlete.from_checkpoint(path)


def test_extension_methods():
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make("dqn", env.observation_space, env.action_space, seed=0)
    assert set(agent.methods()) == {"epsilon", "replay_size"}
    run_episodes(agent, env, 50, seed=0)
    assert agent.replay_size() == agent.call("replay_size") == 50
    assert agent.epsilon() == agent.call("epsilon") == 1.0


def test_agents_in_threads_are_independent_and_reproducible():
    def work(results, index):
        env = athlete.envs.make("CartPole-v1")
        agent = athlete.make("dqn", env.observation_space, env.action_space, seed=5, warmup_steps=50,
                             value_network_arguments={"hidden_dims": [32, 32]})
        results[index] = run_episodes(agent, env, 400, seed=5)

    results = [None] * 3
    threads = [threading.Thread(target=work, args=(results, i)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alone = [None]
    work(alone, 0)
    assert all(same(r, alone[0]) for r in results)


def test_sharing_an_agent_between_threads_is_refused_not_a_crash():
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make("dqn", env.observation_space, env.action_space, seed=0, warmup_steps=0,
                         value_network_arguments={"hidden_dims": [512, 512]}, value_net_update_frequency=1)
    errors = []

    def hammer():
        observation = np.zeros(4, np.float32)
        for _ in range(200):
            try:
                agent.reset_step(observation)
            except RuntimeError as e:
                errors.append(str(e))

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(e == "agent is in use by another thread (an agent is not thread-safe)" for e in errors)


def test_the_gil_is_released_while_the_runtime_updates():
    # With a switch interval longer than the test, another thread runs only while the
    # stepping thread has released the GIL: if the C calls held it, the counting below
    # could not finish before the stepping thread.
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make("dqn", env.observation_space, env.action_space, seed=0, warmup_steps=300,
                         value_network_arguments={"hidden_dims": [1024, 1024]},
                         replay_buffer_mini_batch_size=256, value_net_update_frequency=1)
    observation, _ = env.reset(seed=0)
    agent.reset_step(observation)
    for _ in range(299):  # up to the end of the warmup: every later step runs an update
        observation, _ = env.reset()
        agent.step(observation, 1.0, False, False)
    order = []

    losses = []

    def slow_updates():
        for _ in range(6):
            _, info = agent.step(observation, 1.0, False, False)
            losses.append("loss" in info)
        order.append("updates")

    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        thread = threading.Thread(target=slow_updates)
        thread.start()
        count = 0
        for _ in range(100_000):
            count += 1
        order.append("counting")
        thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert sum(losses) >= 5  # the thread did run updates
    assert order == ["counting", "updates"]
