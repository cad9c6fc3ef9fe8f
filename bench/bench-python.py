#!/usr/bin/env python3
"""The Python binding's cost: µs per step of the README's loop (agent.step + env.step on
the built-in CartPole-v1) written in Python vs the same loop in C on the same objects, and
the DQN 64-64 / batch 64 configuration of bench-dqn driven from Python vs from C.
bench-python.py [STEPS]: STEPS for the loop figure (default 200 000).

Run by bench/run.sh (PYTHONPATH=build-bench/python, /usr/bin/python3), pinned to one core.
"""
import os
import platform
import sys
import time

import athlete


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def python_loop(agent, env, steps):
    observation, env_info = env.reset()
    action, agent_info = agent.reset_step(observation, env_info)
    for _ in range(steps):
        observation, reward, terminated, truncated, env_info = env.step(action)
        action, agent_info = agent.step(observation, reward, terminated, truncated, env_info)
        if terminated or truncated:
            observation, env_info = env.reset()
            action, agent_info = agent.reset_step(observation, env_info)


def best_of(runs, fn):
    """Best CPU time of `runs` calls: the thread's CPU time, not the wall clock, so that
    other processes sharing the core (a loaded CI machine) do not count."""
    best = float("inf")
    for _ in range(runs):
        t0 = time.thread_time()
        fn()
        best = min(best, time.thread_time() - t0)
    return best


def fresh_agent(env, **overrides):
    return athlete.make("dqn", env.observation_space, env.action_space, seed=0, **overrides)


def main():
    try:
        os.sched_setaffinity(0, {os.sched_getcpu()})
    except (AttributeError, OSError):
        pass
    env = athlete.envs.make("CartPole-v1")
    env.reset(seed=0)
    kernel, threads, generic = athlete.blas_info()
    forced = os.environ.get("OPENBLAS_CORETYPE")
    print("== Python binding overhead (bench-python.py, one core)")
    print(f"CPU: {cpu_model()} | OpenBLAS kernel: {kernel} "
          f"({'forced by OPENBLAS_CORETYPE=' + forced if forced else 'chosen by OpenBLAS'}) | BLAS threads: {threads}"
          f"{' | GENERIC KERNEL (see README: OpenBLAS trap)' if generic else ''} | Python {platform.python_version()}")

    # 1. The loop alone: DQN during its warmup (random actions, transitions stored, no
    #    gradient step), so the agent's own work is small and the binding's cost shows.
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    warm = {"warmup_steps": 10**9}
    agent_py, agent_c = fresh_agent(env, **warm), fresh_agent(env, **warm)
    python_loop(agent_py, env, 20_000)
    athlete._athlete.run_loop(agent_c, env, 20_000)
    t_py = best_of(5, lambda: python_loop(agent_py, env, steps)) / steps * 1e6
    t_c = best_of(5, lambda: athlete._athlete.run_loop(agent_c, env, steps)) / steps * 1e6
    print(f"\nloop of agent.step + env.step (CartPole-v1, DQN in warmup), best of 5 x {steps} steps (CPU time):")
    print(f"  Python loop {t_py:6.2f} µs/step | C loop {t_c:6.2f} µs/step | "
          f"binding overhead {t_py - t_c:5.2f} µs/step (target <= 2)")

    # 2. DQN 64-64, batch 64 (bench-dqn's configuration), 20 000 steps from a fresh agent
    #    (warmup included, as the original was timed) and steady state after the warmup.
    config = {"value_network_arguments": {"hidden_dims": [64, 64]}, "replay_buffer_mini_batch_size": 64}
    print("\nDQN CartPole-v1 64-64 / batch 64 (bench-dqn's configuration), best of 3 (CPU time):")
    for label, runner in (("driven from Python", python_loop),
                          ("C loop, same process", athlete._athlete.run_loop)):
        times = []
        steady = []
        for _ in range(3):
            agent = fresh_agent(env, **config)
            times.append(best_of(1, lambda: runner(agent, env, 20_000)))
            steady.append(best_of(1, lambda: runner(agent, env, 20_000)))
        print(f"  {label:22s} 20 000 steps from a fresh agent: {20_000 / min(times):8.0f} env-steps/s | "
              f"steady state: {20_000 / min(steady):8.0f} env-steps/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
