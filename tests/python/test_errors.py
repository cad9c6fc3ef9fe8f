"""Wrong input raises (ValueError, TypeError, RuntimeError, OSError) with the runtime's
message and never crashes the interpreter or changes the agent."""
import os

import numpy as np
import pytest

import athlete

CARTPOLE = athlete.envs.make("CartPole-v1")
OBS, ACT = CARTPOLE.observation_space, CARTPOLE.action_space
ZERO = np.zeros(4, np.float32)


def test_bad_spaces():
    with pytest.raises(TypeError, match=r"^action_space: expected a Box-like space \(shape, low, high, dtype\) "
                                        r"or a Discrete-like space \(n, start\), got object$"):
        athlete.make("dqn", OBS, object())
    with pytest.raises(ValueError, match=r"^space JSON: Box low\[0\] = 1 is above high\[0\] = -1$"):
        athlete.make("dqn", OBS, athlete.spaces.Box(1.0, -1.0, (2,)))
    with pytest.raises(ValueError, match=r"^dqn: dqn needs a Box observation space, got Discrete\(2\)$"):
        athlete.make("dqn", ACT, ACT)
    with pytest.raises(ValueError, match=r"^space JSON: Discrete needs an integer 'n' >= 1 and an integer 'start'$"):
        athlete.make("dqn", OBS, athlete.spaces.Discrete(0))
    with pytest.raises(TypeError, match=r"needs a real dtype, got complex64"):
        athlete.make("dqn", athlete.spaces.Box(-1, 1, (4,), np.complex64), ACT)


def test_bad_overrides():
    with pytest.raises(ValueError, match=r"^algorithm 'nope' not found in the registry \(registered: ddpg, dqn, "
                                         r"ppo, q_learning, sac, td3[,)]"):
        athlete.make("nope", OBS, ACT)
    with pytest.raises(ValueError, match=r"^dqn: dqn config: unknown key 'learning_rate'"):
        athlete.make("dqn", OBS, ACT, learning_rate=1)
    with pytest.raises(TypeError, match=r"^dqn: dqn config: 'replay_buffer_mini_batch_size' expects an integer, "
                                        r"got 32.5$"):
        athlete.make("dqn", OBS, ACT, replay_buffer_mini_batch_size=32.5)
    with pytest.raises(ValueError, match=r"^dqn: dqn config: 'epsilon_decay_steps' must be >= 1 \(it divides the "
                                         r"epsilon decay\), got 0$"):
        athlete.make("dqn", OBS, ACT, epsilon_decay_steps=0)
    with pytest.raises(TypeError, match=r"^dqn: dqn config: 'optimizer_arguments.lr' expects a number, got the "
                                        r"string \"x\"$"):
        athlete.make("dqn", OBS, ACT, optimizer_arguments={"lr": "x"})
    with pytest.raises(ValueError, match=r"^seed must be an integer in \[0, 2\*\*64\)$"):
        athlete.make("dqn", OBS, ACT, seed=-1)
    with pytest.raises(ValueError, match="^algorithm 'nope' not found"):
        athlete.get_default_configuration("nope")


def test_wrong_call_order_changes_nothing():
    agent = athlete.make("dqn", OBS, ACT, seed=0)
    with pytest.raises(RuntimeError, match=r"^step: no episode in progress; call reset_step first$"):
        agent.step(ZERO, 1.0, False, False)
    with pytest.raises(ValueError, match=r"^In training mode, observation, reward, terminated, and truncated "
                                         r"must be provided\.$"):
        agent.step(ZERO)
    agent.reset_step(ZERO)
    _, info = agent.step(ZERO, 1.0, True, False)
    with pytest.raises(RuntimeError, match=r"^step: the previous episode has ended"):
        agent.step(ZERO, 1.0, False, False)
    assert agent.step_counts["interactions"] == 1 and agent.step_counts["episodes"] == 1


def test_nan_observation_and_reward():
    agent = athlete.make("dqn", OBS, ACT, seed=0)
    with pytest.raises(ValueError, match=r"^reset_step: observation\[2\] is NaN$"):
        agent.reset_step(np.array([0, 0, np.nan, 0], np.float32))
    agent.reset_step(ZERO)
    with pytest.raises(ValueError, match=r"^step: observation\[0\] is infinite$|^step: observation\[0\] is inf"):
        agent.step(np.array([np.inf, 0, 0, 0]), 1.0, False, False)
    with pytest.raises(ValueError, match=r"^step: reward is NaN$"):
        agent.step(ZERO, float("nan"), False, False)
    assert agent.step_counts["interactions"] == 0
    agent.step(ZERO, 1.0, False, False)  # still usable


def test_wrong_values():
    agent = athlete.make("dqn", OBS, ACT, seed=0)
    with pytest.raises(ValueError, match=r"^observation has shape \(3,\), expected \(4,\)$"):
        agent.reset_step(np.zeros(3))
    with pytest.raises(TypeError, match=r"^observation: expected real numbers, got an array of dtype numpy.str_$"):
        agent.reset_step(["a"] * 4)
    lake = athlete.envs.make("FrozenLake-v1")
    q = athlete.make("q_learning", lake.observation_space, lake.action_space, seed=0)
    with pytest.raises(ValueError, match=r"^reset_step: observation = 16 is not an integer in \[0, 16\)$"):
        q.reset_step(16)
    with pytest.raises(TypeError, match=r"^observation: a Discrete space takes an integer, got str$"):
        q.reset_step("3")


def test_corrupt_checkpoints(tmp_path):
    agent = athlete.make("dqn", OBS, ACT, seed=0)
    path = agent.save_checkpoint(str(tmp_path / "good.ckpt"))
    with pytest.raises(OSError, match=r"^cannot open checkpoint '.*/missing.ckpt': No such file or directory$"):
        athlete.from_checkpoint(str(tmp_path / "missing.ckpt"))
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_bytes(b"garbage" * 10)
    with pytest.raises(ValueError, match=r"^'.*garbage.ckpt' is not an Athlete checkpoint \(wrong magic\)$"):
        athlete.from_checkpoint(str(garbage))
    data = bytearray(open(path, "rb").read())
    for where in (len(data) // 2, len(data) - 10):
        flipped = bytearray(data)
        flipped[where] ^= 1
        (tmp_path / "flipped.ckpt").write_bytes(flipped)
        with pytest.raises(ValueError, match=r"fails its CRC32 check"):
            athlete.from_checkpoint(str(tmp_path / "flipped.ckpt"))
    (tmp_path / "short.ckpt").write_bytes(data[:len(data) // 3])
    with pytest.raises(ValueError, match=r"^'.*short.ckpt'"):
        athlete.from_checkpoint(str(tmp_path / "short.ckpt"))
    with pytest.raises(ValueError, match=r"is a full checkpoint, not a policy-only file"):
        athlete.load_policy(path)
    with pytest.raises(ValueError, match=r"^cannot load environment state: checkpoint '.*good.ckpt' was saved "
                                         r"without save_environment_state$"):
        athlete.from_checkpoint(path, load_environment_state=True)
    with pytest.raises(OSError):
        agent.save_checkpoint(str(tmp_path / "good.ckpt" / "below-a-file.ckpt"))


def test_extension_method_errors():
    agent = athlete.make("dqn", OBS, ACT, seed=0)
    with pytest.raises(AttributeError, match=r"^dqn has no method 'nope' \(methods: epsilon, replay_size\)$"):
        agent.call("nope")
    with pytest.raises(ValueError, match=r"^dqn: method 'epsilon' \(d\(\)\) takes 0 arguments, got 1$"):
        agent.call("epsilon", 1)
    with pytest.raises(AttributeError):
        agent.nope


def test_environment_errors():
    with pytest.raises(ValueError, match=r"^unknown environment id 'Nope-v0' \(known: CartPole-v1"):
        athlete.envs.make("Nope-v0")
    with pytest.raises(ValueError, match=r"^CartPole-v1 options: unknown option 'foo' \(known: "
                                         r"sutton_barto_reward, max_episode_steps\)$"):
        athlete.envs.make("CartPole-v1", foo=1)
    env = athlete.envs.make("CartPole-v1")
    with pytest.raises(RuntimeError, match=r"^CartPole-v1 step: called before reset$"):
        env.step(0)
    env.reset(seed=1)
    with pytest.raises(ValueError, match=r"^CartPole-v1 step: action = 2 is not in Discrete\(2\)$"):
        env.step(2)
    env.close()
    with pytest.raises(RuntimeError, match="^environment is closed$"):
        env.step(0)


def test_python_algorithm_errors_keep_their_exception():
    class Broken:
        updatable_components = ()

        def collect(self, *args):
            return False

        def collect_reset(self, *args):
            raise KeyError("boom")

        def act(self, observation):
            return 0, {}

    def factory(observation_space, action_space, configuration):
        broken = Broken()
        return broken, broken, broken, broken

    athlete.register("broken_python", factory, {"discount": 0.9})
    agent = athlete.make("broken_python", OBS, ACT)
    with pytest.raises(KeyError, match="boom"):
        agent.reset_step(ZERO)

    def bad_factory(observation_space, action_space, configuration):
        return None

    athlete.register("bad_factory", bad_factory, {})
    with pytest.raises(TypeError, match=r"^the component factory must return \(data_collector, update_rule, "
                                        r"training_policy, evaluation_policy\), got NoneType$"):
        athlete.make("bad_factory", OBS, ACT)
    with pytest.raises(ValueError, match=r"already registered"):
        athlete.register("bad_factory", bad_factory, {})
    with pytest.raises(ValueError, match=r"^bad_factory: bad_factory config: unknown key 'x' \(see the default configuration\)$"):
        athlete.make("bad_factory", OBS, ACT, x=1)


def test_python_algorithm_bad_returns_raise_and_the_agent_stays_usable():
    class Collector:
        def collect(self, *args):
            return True

        def collect_reset(self, *args):
            return False

    class Rule:
        updatable_components = ()

    class Policy:
        answer = (0, {"ok": 1.5})

        def act(self, observation):
            return self.answer

    policy = Policy()

    def factory(observation_space, action_space, configuration):
        return Collector(), Rule(), policy, policy

    athlete.register("bad_returns", factory, {})
    agent = athlete.make("bad_returns", OBS, ACT, seed=0)
    policy.answer = (0, {"x": "text"})
    with pytest.raises(TypeError, match=r"^policy act\(\): info value 'x' must be a bool, number or array, got str$"):
        agent.reset_step(ZERO)
    policy.answer = (5, {})
    with pytest.raises(ValueError, match=r"^bad_returns: training policy = 5 is not an integer in \[0, 2\)$"):
        agent.reset_step(ZERO)
    policy.answer = 0
    with pytest.raises(TypeError, match=r"^policy act\(\) must return \(action, policy_info\), got int$"):
        agent.reset_step(ZERO)
    policy.answer = (1, {"ok": 1.5, "flag": True, "n": 3, "v": [1, 2]})
    action, _ = agent.reset_step(ZERO)
    action, info = agent.step(ZERO, 1.0, False, False)
    assert action == 1 and info["ok"] == 1.5 and info["flag"] is True and info["n"] == 3
    assert info["v"].dtype == np.float32 and list(info["v"]) == [1.0, 2.0]
