"""Checkpoints written from Python load in the athlete CLI, and the other way round."""
import json
import re
import subprocess

import athlete
from conftest import run_episodes, same


def athlete_cli(cli, *args):
    done = subprocess.run([cli, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_python_checkpoint_in_the_cli(cli, tmp_path):
    env = athlete.envs.make("CartPole-v1")
    agent = athlete.make("dqn", env.observation_space, env.action_space, seed=1, warmup_steps=100,
                         value_network_arguments={"hidden_dims": [32, 32]})
    run_episodes(agent, env, 700, seed=1)
    path = agent.save_checkpoint(str(tmp_path / "from-python.ckpt"))
    assert int(athlete_cli(cli, "call", path, "replay_size")) == agent.replay_size() == 700
    assert float(athlete_cli(cli, "call", path, "epsilon")) == agent.epsilon()
    out = athlete_cli(cli, "eval", path, "CartPole-v1", "--episodes", "3")
    assert re.search(r"evaluation: dqn on CartPole-v1, 3 episodes: mean return \d", out), out
    resumed = tmp_path / "resumed.ckpt"
    athlete_cli(cli, "train", "dqn", "CartPole-v1", "--resume", path, "--steps", "300", "--save", str(resumed))
    assert athlete.from_checkpoint(str(resumed)).step_counts["interactions"] == 1000


def test_cli_checkpoint_in_python(cli, tmp_path):
    path = str(tmp_path / "from-cli.ckpt")
    athlete_cli(cli, "train", "q_learning", "FrozenLake-v1", "--steps", "3000", "--seed", "3", "--save", path)
    agent = athlete.from_checkpoint(path)
    assert agent.algorithm_id == "q_learning" and agent.seed == 3
    assert agent.step_counts["interactions"] == 3000
    assert agent.epsilon() == float(athlete_cli(cli, "call", path, "epsilon"))
    assert json.loads(agent._configuration_json()) == agent.configuration
    # Loading twice gives two agents that continue identically.
    env = athlete.envs.make("FrozenLake-v1")
    twin = athlete.from_checkpoint(path)
    state = env.get_state()
    first = run_episodes(agent, env, 500, seed=8)
    env.set_state(state)
    assert same(run_episodes(twin, env, 500, seed=8), first)
