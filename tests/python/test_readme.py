"""The original README's examples, with gym.make replaced by athlete.envs.make and the
rendering dropped, each asserting what the example implies."""
from pprint import pformat

import numpy as np
import pytest

import athlete
from conftest import run_episodes, same


def test_minimal_training_loop_runs_its_20000_steps():
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make(
        algorithm_id="dqn",
        action_space=env.action_space,
        observation_space=env.observation_space,
        seed=42  # optional
    )

    observation, env_info = env.reset(seed=42)
    action, agent_info = agent.reset_step(observation, env_info)
    steps = losses = 0
    for _ in range(20000):
        observation, reward, terminated, truncated, env_info = env.step(action)
        action, agent_info = agent.step(
                observation, reward, terminated, truncated, env_info
            )
        steps += 1
        losses += "loss" in agent_info

        if terminated or truncated:
            assert action is None  # the episode ended: no action until reset_step
            observation, env_info = env.reset()
            action, agent_info = agent.reset_step(observation, env_info)
        else:
            assert isinstance(action, int) and action in (0, 1)

    env.close()
    assert steps == 20000
    assert agent.step_counts["interactions"] == 20000
    # After the warmup, the Q network was updated every value_net_update_frequency steps
    # and each update reported its loss.
    config = agent.configuration
    assert losses == (20000 - config["warmup_steps"]) // config["value_net_update_frequency"]
    assert agent.epsilon() == config["end_epsilon"]  # decayed over epsilon_decay_steps


def train_then_evaluate(steps, seed, **overrides):
    """The train/eval example with a fixed seed: `steps` training interactions, then 10
    evaluation episodes exactly as the README's loop runs them. Returns their returns."""
    train_env = athlete.envs.make("CartPole-v1")
    agent = athlete.make(
        algorithm_id="dqn",
        action_space=train_env.action_space,
        observation_space=train_env.observation_space,
        seed=seed,
        **overrides
    )

    agent.train()
    assert agent.training

    observation, env_info = train_env.reset(seed=seed)
    action, agent_info = agent.reset_step(observation, env_info)
    for _ in range(steps):
        observation, reward, terminated, truncated, env_info = train_env.step(action)
        action, agent_info = agent.step(
                observation, reward, terminated, truncated, env_info
            )

        if terminated or truncated:
            observation, env_info = train_env.reset()
            action, agent_info = agent.reset_step(observation, env_info)

    eval_env = athlete.envs.make("CartPole-v1")
    agent.eval()
    assert not agent.training
    counts = agent.step_counts
    returns = []
    eval_env.reset(seed=seed + 1000)
    for _ in range(10):
        observation, env_info = eval_env.reset()
        action, agent_info = agent.reset_step(observation)
        done = False
        episode_return = 0.0
        while not done:
            action, agent_info = agent.step(observation)
            observation, reward, terminated, truncated, env_info = eval_env.step(action)
            episode_return += reward
            done = terminated or truncated
        returns.append(episode_return)
    # Evaluation neither counts steps nor updates.
    assert agent.step_counts == counts
    return returns


def test_train_and_eval_modes_switch_policies():
    returns = train_then_evaluate(3000, seed=0)
    assert len(returns) == 10 and all(r >= 8 for r in returns)


@pytest.mark.learning
def test_train_eval_example_dqn_reaches_475_on_cartpole():
    returns = train_then_evaluate(100000, seed=0)
    assert np.mean(returns) >= 475, returns


def test_save_and_load_continues_training_identically(in_tmp):
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make(
        algorithm_id="dqn",
        action_space=env.action_space,
        observation_space=env.observation_space,
        seed=3,
        warmup_steps=200,
    )
    run_episodes(agent, env, 700, seed=3)  # train for a while (ends with a reset_step)
    state = env.get_state()  # the environment is not part of Athlete

    checkpoint_path = agent.save_checkpoint()
    assert checkpoint_path.startswith("checkpoints/dqn_") and (in_tmp / checkpoint_path).is_file()
    expected = run_episodes(agent, env, 600)
    del agent

    loaded_agent = athlete.from_checkpoint(checkpoint_path)
    env.set_state(state)
    # "Need to reset the environment before continuing": run_episodes starts with a reset.
    assert same(run_episodes(loaded_agent, env, 600), expected)


def test_save_with_environment_state_continues_the_episode(in_tmp):
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make("dqn", env.observation_space, env.action_space, seed=5, warmup_steps=100)
    observation, _ = env.reset(seed=5)
    action, _ = agent.reset_step(observation)
    for _ in range(150):
        observation, reward, terminated, truncated, _ = env.step(action)
        action, _ = agent.step(observation, reward, terminated, truncated)
        if terminated or truncated:
            observation, _ = env.reset()
            action, _ = agent.reset_step(observation)
    # The agent will remember information related to the current episode
    checkpoint_path = agent.save_checkpoint("mid-episode.ckpt", save_environment_state=True)
    env_state = env.get_state()

    def continue_episode(agent, action):
        out = []
        for _ in range(300):
            observation, reward, terminated, truncated, _ = env.step(action)
            action, info = agent.step(observation, reward, terminated, truncated)
            out.append((action, info))
            if terminated or truncated:
                observation, _ = env.reset()
                action, info = agent.reset_step(observation)
        return out

    expected = continue_episode(agent, action)
    loaded_agent = athlete.from_checkpoint(
        checkpoint_path=checkpoint_path,
        load_environment_state=True
    )
    env.set_state(env_state)
    assert same(loaded_agent.last_action, action)
    assert same(continue_episode(loaded_agent, loaded_agent.last_action), expected)

    # Without the environment state the agent expects a new episode.
    fresh = athlete.from_checkpoint(checkpoint_path)
    with pytest.raises(RuntimeError, match="call reset_step before step"):
        fresh.step(observation, 1.0, False, False)


def test_reproducibility_same_seed_same_actions():
    seed = 42

    def run():
        env = athlete.envs.make("CartPole-v1")
        agent = athlete.make(
            algorithm_id="dqn",
            observation_space=env.observation_space,
            action_space=env.action_space,
            seed=seed,
            warmup_steps=300,
        )
        return run_episodes(agent, env, 1500, seed=seed)

    first, second = run(), run()
    assert same(first, second)
    assert sum("loss" in info for _, info in first) == (1500 - 300) // 4


def test_different_seeds_differ():
    env = athlete.envs.make("CartPole-v1")
    a = athlete.make("dqn", env.observation_space, env.action_space, seed=1)
    b = athlete.make("dqn", env.observation_space, env.action_space, seed=2)
    assert not same(run_episodes(a, env, 300, seed=0), run_episodes(b, env, 300, seed=0))


def test_list_algorithms():
    available_algorithms = athlete.list_algorithms()
    print(available_algorithms)
    # The plugins in the order the scan loaded their files, then any registered from Python.
    assert available_algorithms[:6] == ["ddpg", "dqn", "ppo", "q_learning", "sac", "td3"]


def test_get_default_configuration_is_a_fresh_dict():
    config = athlete.get_default_configuration("sac")
    assert "replay_buffer_capacity" in pformat(config)
    assert config["discount"] == 0.99 and config["warmup_steps"] > 0
    config["discount"] = 0.5
    assert athlete.get_default_configuration("sac")["discount"] == 0.99


def test_make_with_overrides():
    env = athlete.envs.make("Pendulum-v1")  # BipedalWalker-v3 is not built in: a Box/Box environment
    agent = athlete.make(
        algorithm_id="sac",
        observation_space=env.observation_space,
        action_space=env.action_space,
        # Override any default values:
        discount=0.98,
        replay_buffer_capacity=300000,
        critic_update_frequency=64,
        critic_number_of_updates=64,
        target_critic_tau=0.02,
        warmup_steps=10000,
    )
    config = agent.configuration
    assert (config["discount"], config["replay_buffer_capacity"], config["critic_update_frequency"],
            config["critic_number_of_updates"], config["target_critic_tau"], config["warmup_steps"]) == \
        (0.98, 300000, 64, 64, 0.02, 10000)
    defaults = athlete.get_default_configuration("sac")
    assert config["actor_network_arguments"] == defaults["actor_network_arguments"]
    observation, _ = env.reset(seed=0)
    action, _ = agent.reset_step(observation)
    assert action.dtype == np.float32 and action.shape == (1,) and -2 <= action[0] <= 2


def test_nested_overrides_merge_key_by_key():
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make("dqn", env.observation_space, env.action_space, optimizer_arguments={"lr": 1e-3},
                         value_network_arguments={"hidden_dims": [64, 64]})
    config = agent.configuration
    defaults = athlete.get_default_configuration("dqn")
    assert config["optimizer_arguments"] == {**defaults["optimizer_arguments"], "lr": 1e-3}
    assert config["value_network_arguments"]["hidden_dims"] == [64, 64]
