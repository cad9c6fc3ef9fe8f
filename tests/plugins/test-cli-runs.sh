#!/usr/bin/env bash
# Training runs of the athlete command line: run folders, exact resume (by folder, after a
# stop, from a periodic checkpoint), SIGINT/SIGTERM, evaluation's seed rule, the metrics
# of every algorithm, and the checks made before training starts.
# usage: test-cli-runs.sh PATH_TO_ATHLETE
set -uo pipefail
source "$(dirname "$0")/../common/cli-expect.sh"
athlete=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# Metrics compared without their wall times (the only field that may differ).
no_wall() { sed -E 's/, "wall_time": [0-9.]+}$/}/' "$1"; }
same_run() { # same_run DIR_A DIR_B: final checkpoint bytes and metrics
  cmp -s "$1/final.ckpt" "$2/final.ckpt" || fail "$1/final.ckpt and $2/final.ckpt differ"
  diff <(no_wall "$1/metrics.jsonl") <(no_wall "$2/metrics.jsonl") >/dev/null \
    || fail "$1/metrics.jsonl and $2/metrics.jsonl differ beyond wall times"
  [ "$(wc -l < "$1/metrics.jsonl")" -gt 10 ] || fail "$1/metrics.jsonl is nearly empty"
  for f in episodes updates evaluations; do # --csv: the same, wall times (last column) aside
    diff <(sed 's/,[0-9.]*$//' "$1/$f.csv") <(sed 's/,[0-9.]*$//' "$2/$f.csv") >/dev/null \
      || fail "$1/$f.csv and $2/$f.csv differ beyond wall times"
  done
}
whole_lines() { # every line one JSON object, none cut
  [ -z "$(tail -c 1 "$1")" ] || fail "$1 does not end with a newline"
  ! grep -qvE '^\{"type": "(episode|update|eval)", .*, "wall_time": [0-9]+\.[0-9]{3}\}$' "$1" \
    || fail "$1 has a malformed line: $(grep -vE '^\{.*\}$' "$1" | head -1)"
}
small=(--set 'value_network_arguments.hidden_dims=[16,16]' --set replay_buffer_mini_batch_size=16 --set warmup_steps=200)
run=(--eval-every 1000 --eval-episodes 3 --checkpoint-every 700 --log-every 500 --csv --quiet)

# 1. N + N steps with a resume in the middle (mid-episode, off every period) = 2N straight.
expect 0 "evaluation: dqn on CartPole-v1, 3 episodes" -- "$athlete" train dqn CartPole-v1 "${small[@]}" --steps 3000 "${run[@]}" --run-dir straight
expect 0 "evaluation: dqn on CartPole-v1" -- "$athlete" train dqn CartPole-v1 "${small[@]}" --steps 1804 "${run[@]}" --run-dir halves
grep -q '"in_episode":	true' halves/final.state.json || fail "the resume point is not mid-episode"
expect 0 "evaluation: dqn on CartPole-v1" -- "$athlete" train --resume halves --steps 1196 --quiet
same_run straight halves
# The same with fractional rewards and losses (Pendulum, ddpg) in the episode and window.
tiny_ac=(--set 'critic_network_arguments.hidden_dims=[8]' --set 'actor_network_arguments.hidden_dims=[8]'
         --set replay_buffer_mini_batch_size=8 --set warmup_steps=50)
pend=(--eval-every 400 --eval-episodes 1 --log-every 100 --csv --quiet)
expect 0 "evaluation: ddpg on Pendulum-v1" -- "$athlete" train ddpg Pendulum-v1 "${tiny_ac[@]}" --steps 1000 "${pend[@]}" --run-dir p_straight
expect 0 "evaluation: ddpg on Pendulum-v1" -- "$athlete" train ddpg Pendulum-v1 "${tiny_ac[@]}" --steps 450 "${pend[@]}" --run-dir p_halves
expect 0 "evaluation: ddpg on Pendulum-v1" -- "$athlete" train --resume p_halves --steps 550 --quiet
same_run p_straight p_halves
for f in config.json run.json metrics.jsonl final.ckpt best.ckpt best.policy checkpoints/step_2100.ckpt checkpoints/step_2800.ckpt; do
  [ -f "straight/$f" ] || fail "straight/$f is missing"
done
[ ! -e straight/checkpoints/step_700.ckpt ] || fail "--keep-checkpoints 3 kept step_700"
head -1 straight/updates.csv | grep -qx 'step,steps,key,value,wall_time' && grep -q '^1500,500,loss,' straight/updates.csv \
  && [ "$(grep -c . straight/episodes.csv)" = "$(grep -c '"type": "episode"' straight/metrics.jsonl | awk '{print $1+1}')" ] \
  || fail "--csv files do not match the metrics"
grep -q '"openblas_core":' straight/run.json && grep -q '"argv":	\["athlete", "train", "dqn"' straight/run.json \
  || fail "run.json lacks the command line or the kernel"
[ "$(grep -c '"argv"' halves/run.json)" = 2 ] || fail "halves/run.json does not record both sessions"

# 2. Resuming from the newest periodic checkpoint after a crash: the metrics written after
#    it are dropped, and the run still ends as the straight one.
cp -r straight crashed
rm crashed/final.ckpt crashed/final.state.json
echo '{"type": "episode", "episode": 99999, "step": 2999, "ret' >> crashed/metrics.jsonl
expect 0 "resuming crashed/checkpoints/step_2800.ckpt from step 2800" -- "$athlete" train --resume crashed
same_run straight crashed
expect 1 "resume: the run reached its 3000 steps; pass --steps N to train N more" -- "$athlete" train --resume crashed

# 3. SIGINT stops at a step boundary, saves, keeps every metrics line whole, says how to
#    resume and exits 130; resuming finishes the run exactly as a straight one.
expect 0 "evaluation" -- "$athlete" train dqn CartPole-v1 "${small[@]}" --steps 100000 "${run[@]}" --run-dir long
"$athlete" train dqn CartPole-v1 "${small[@]}" --steps 100000 "${run[@]}" --run-dir stopped 2>stderr.txt & pid=$!
for _ in $(seq 200); do grep -q update stopped/metrics.jsonl 2>/dev/null && break; sleep 0.05; done
kill -INT $pid; wait $pid; rc=$?
[ $rc = 130 ] || fail "SIGINT: exit code $rc, expected 130 ($(cat stderr.txt))"
grep -qE "^athlete: interrupted at step [0-9]+ of 100000: saved stopped/final.ckpt; resume with:$" stderr.txt \
  && grep -q "^  athlete train --resume stopped$" stderr.txt || fail "SIGINT message: $(cat stderr.txt)"
whole_lines stopped/metrics.jsonl
expect 0 "evaluation" -- "$athlete" train --resume stopped --quiet
same_run long stopped

# SIGTERM: 143; a second SIGINT (here during a long evaluation) aborts at once, unsaved.
"$athlete" train q_learning FrozenLake-v1 --steps 100000000 --log-every 1000 --quiet --run-dir term 2>stderr.txt & pid=$!
for _ in $(seq 200); do grep -q update term/metrics.jsonl 2>/dev/null && break; sleep 0.05; done
kill -TERM $pid; wait $pid; rc=$?
[ $rc = 143 ] && grep -q "^athlete: terminated at step [0-9]* of 100000000: saved term/final.ckpt" stderr.txt || fail "SIGTERM: exit code $rc, expected 143: $(cat stderr.txt)"
[ -f term/final.ckpt ] || fail "SIGTERM did not save term/final.ckpt"
whole_lines term/metrics.jsonl
"$athlete" train q_learning FrozenLake-v1 --steps 1000 --eval-every 100 --eval-episodes 100000000 --quiet \
  --run-dir abort 2>stderr.txt & pid=$!
for _ in $(seq 200); do [ -f abort/run.json ] && break; sleep 0.05; done
sleep 0.3 # step 100 comes within microseconds of run.json; the evaluation takes hours
kill -INT $pid; sleep 0.2; kill -INT $pid; wait $pid; rc=$?
[ $rc = 130 ] && grep -q "interrupted again: aborting without saving" stderr.txt || fail "second SIGINT: $rc $(cat stderr.txt)"
[ ! -e abort/final.ckpt ] || fail "an aborted run saved final.ckpt"

# 4. Evaluation's seed rule: train's final evaluation, 'eval' of the checkpoint, of the run
#    folder and of the policy file give the same score.
final=$("$athlete" train dqn CartPole-v1 "${small[@]}" --steps 2000 "${run[@]}" --eval-episodes 4 --run-dir scored 2>/dev/null)
again=$("$athlete" eval scored/final.ckpt CartPole-v1 --episodes 4)
[ -n "$final" ] && [ "$final" = "$again" ] || fail "train's final evaluation '$final' differs from eval's '$again'"
best=$(grep '"type": "eval"' scored/metrics.jsonl | sed -E 's/.*"mean": ([-0-9.e+]+),.*/\1/' | sort -g | tail -1)
best=$(printf '%.2f' "$best")
expect 0 "dqn on CartPole-v1, 4 episodes: mean return $best " -- "$athlete" eval scored/best.ckpt CartPole-v1 --episodes 4
expect 0 "dqn on CartPole-v1, 4 episodes: mean return $best " -- "$athlete" eval scored/best.policy CartPole-v1 --episodes 4
expect 0 "dqn on CartPole-v1, 4 episodes: mean return $best " -- "$athlete" eval scored CartPole-v1 --episodes 4
expect 0 "dqn on CartPole-v1, 4 episodes: mean return $best " -- "$athlete" eval scored --episodes 4
expect 0 "kind: +policy only" -- "$athlete" info scored/best.policy

# 5. Every algorithm's losses and statistics reach the metrics ("update" lines).
check_keys() { # check_keys DIR KEY...
  local dir=$1; shift
  for key in "$@"; do
    grep '"type": "update"' "$dir/metrics.jsonl" | grep -q "\"$key\": " || fail "$dir: no '$key' in the update lines"
  done
}
"$athlete" train q_learning FrozenLake-v1 --steps 600 --log-every 100 --quiet --run-dir m_q >/dev/null && check_keys m_q loss epsilon
"$athlete" train dqn CartPole-v1 "${small[@]}" --steps 600 --log-every 100 --quiet --run-dir m_dqn >/dev/null && check_keys m_dqn loss epsilon greedy
"$athlete" train ppo CartPole-v1 --set 'value_network_arguments.hidden_dims=[8]' --set 'actor_network_arguments.hidden_dims=[8]' \
  --set steps_per_update=128 --set mini_batch_size=32 --set epochs_per_update=1 --steps 600 --log-every 100 --quiet --run-dir m_ppo >/dev/null \
  && check_keys m_ppo policy_loss value_loss entropy_loss loss approx_kl clip_fraction
"$athlete" train ddpg Pendulum-v1 "${tiny_ac[@]}" --steps 400 --log-every 100 --quiet --run-dir m_ddpg >/dev/null && check_keys m_ddpg critic_loss actor_loss
tiny_twin=("${tiny_ac[@]}" --set 'critic_2_network_arguments.hidden_dims=[8]')
"$athlete" train td3 Pendulum-v1 "${tiny_twin[@]}" --steps 400 --log-every 100 --quiet --run-dir m_td3 >/dev/null && check_keys m_td3 critic_loss actor_loss
"$athlete" train sac Pendulum-v1 "${tiny_twin[@]}" --steps 400 --log-every 100 --quiet --run-dir m_sac >/dev/null && check_keys m_sac critic_loss actor_loss temperature temperature_loss
[ "$(grep -c '"type": "update"' m_q/metrics.jsonl)" = 6 ] || fail "600 steps at --log-every 100 should give 6 update lines"

# Without --run-dir: runs/ALGO_ENV_N, the first free N.
expect 0 "evaluation" -- "$athlete" train q_learning FrozenLake-v1 --steps 10 --quiet --eval-episodes 1
[ -f runs/q_learning_FrozenLake-v1_1/final.ckpt ] || fail "the default run folder runs/q_learning_FrozenLake-v1_1 was not used"

# 6. Checks made before training: targets, the resumed agent, the settings of a folder.
expect 1 "^athlete: --save: '/dev/full' is not a regular file$" -- "$athlete" train q_learning FrozenLake-v1 --steps 10 --save /dev/full
expect 1 "^athlete: --save: cannot write into '$tmp/none': No such file or directory$" -- "$athlete" train q_learning FrozenLake-v1 --steps 10 --save "$tmp/none/x.ckpt"
expect 1 "^athlete: cannot write metrics to '/dev/full': No space left on device$" -- "$athlete" train q_learning FrozenLake-v1 --steps 10 --quiet --metrics /dev/full
expect 1 "cannot open '$tmp/none/m.jsonl' for the metrics: No such file or directory" -- "$athlete" train q_learning FrozenLake-v1 --steps 10 --metrics "$tmp/none/m.jsonl"
expect 1 "^athlete: resume: 'straight/final.ckpt' holds a dqn agent, not ppo$" -- "$athlete" train ppo CartPole-v1 --resume straight/final.ckpt
expect 1 "^athlete: resume: the agent's spaces \(obs Box\(shape=\(4,\).*\) do not match MountainCar-v0's" -- "$athlete" train dqn MountainCar-v0 --resume straight/final.ckpt
expect 1 "resume: the run folder 'straight' holds dqn on CartPole-v1, not ppo on CartPole-v1" -- "$athlete" train ppo CartPole-v1 --resume straight
expect 2 "^athlete: --set cannot be used when resuming the run folder 'straight' \(its settings are in run.json\)$" -- "$athlete" train --resume straight --set discount=0.5
expect 1 "'straight' already holds a run; continue it with --resume straight or choose another --run-dir" -- "$athlete" train dqn CartPole-v1 --run-dir straight
# config.json is accepted back by --config and gives the same configuration.
expect 0 "evaluation" -- "$athlete" train dqn CartPole-v1 --config straight/config.json --steps 10 --quiet --eval-episodes 1 --run-dir again
cmp -s straight/config.json again/config.json || fail "--config straight/config.json gives another configuration"

# 7. --envs N: one vector agent on N environments. Steps count environment steps (N per
#    call, periods count when a call crosses them), a folder resumes exactly (also from a
#    periodic checkpoint), evaluation stays on one environment, and a resume refuses
#    another --envs.
vppo=(--set steps_per_update=16 --set mini_batch_size=64 --set epochs_per_update=2
      --set 'value_network_arguments.hidden_dims=[8]' --set 'actor_network_arguments.hidden_dims=[8]')
vrun=(--envs 8 --eval-every 1000 --eval-episodes 1 --checkpoint-every 1500 --log-every 500 --csv --quiet)
expect 0 "evaluation: ppo on Pendulum-v1, 1 episodes" -- "$athlete" train ppo Pendulum-v1 "${vppo[@]}" --steps 4000 "${vrun[@]}" --run-dir v_straight
expect 0 "evaluation: ppo on Pendulum-v1" -- "$athlete" train ppo Pendulum-v1 "${vppo[@]}" --steps 1904 "${vrun[@]}" --run-dir v_halves
grep -q '"env_lengths":' v_halves/final.state.json || fail "a vector run's state file lacks the environments' episodes"
expect 0 "evaluation: ppo on Pendulum-v1" -- "$athlete" train --resume v_halves --steps 2096 --envs 8 --quiet
same_run v_straight v_halves
grep -q '"envs":	8,' v_straight/run.json || fail "run.json does not record --envs 8"
[ "$(grep -c '"type": "episode"' v_straight/metrics.jsonl)" = 16 ] || fail "4000 steps of 8 Pendulum environments should end 16 episodes"
grep -q '"type": "update", "step": 1504, "steps": 504,' v_straight/metrics.jsonl || fail "the update line after step 1500 is not at step 1504"
for f in checkpoints/step_1504.ckpt checkpoints/step_3000.ckpt best.policy; do
  [ -f "v_straight/$f" ] || fail "v_straight/$f is missing"
done
cp -r v_straight v_crashed
rm v_crashed/final.ckpt v_crashed/final.state.json
expect 0 "resuming v_crashed/checkpoints/step_3000.ckpt from step 3000" -- "$athlete" train --resume v_crashed
same_run v_straight v_crashed
final=$("$athlete" train ppo Pendulum-v1 "${vppo[@]}" --steps 800 --envs 4 --eval-episodes 2 --quiet --run-dir v_scored 2>/dev/null)
again=$("$athlete" eval v_scored/final.ckpt Pendulum-v1 --episodes 2)
[ -n "$final" ] && [ "$final" = "$again" ] || fail "a vector run's final evaluation '$final' differs from eval's '$again'"
# Off-policy agents too (their vector path), exactly resumed.
vdqn=("${small[@]}" --envs 4 --eval-every 1000 --eval-episodes 2 --log-every 500 --quiet)
expect 0 "evaluation: dqn on CartPole-v1" -- "$athlete" train dqn CartPole-v1 "${vdqn[@]}" --steps 2000 --run-dir vd_straight
expect 0 "evaluation: dqn on CartPole-v1" -- "$athlete" train dqn CartPole-v1 "${vdqn[@]}" --steps 1004 --run-dir vd_halves
expect 0 "evaluation: dqn on CartPole-v1" -- "$athlete" train --resume vd_halves --steps 996 --quiet
cmp -s vd_straight/final.ckpt vd_halves/final.ckpt || fail "a resumed dqn vector run ends with other bytes"
diff <(no_wall vd_straight/metrics.jsonl) <(no_wall vd_halves/metrics.jsonl) >/dev/null || fail "a resumed dqn vector run has other metrics"
expect 0 "environments: +8 \(a vector agent\)" -- "$athlete" info v_straight/final.ckpt
expect 2 "^athlete: --envs expects a positive integer, got '0'$" -- "$athlete" train ppo Pendulum-v1 --envs 0
expect 2 "^athlete: --envs must be at most 65536, got '65537'$" -- "$athlete" train ppo Pendulum-v1 --envs 65537
expect 1 "^athlete: resume: the run folder 'v_halves' trains 8 environments, not --envs 4$" -- "$athlete" train --resume v_halves --steps 8 --envs 4
expect 1 "^athlete: resume: the run folder 'straight' trains 1 environment, not --envs 2$" -- "$athlete" train --resume straight --steps 8 --envs 2
expect 1 "^athlete: resume: 'v_straight/final.ckpt' holds an agent of 8 environments, not --envs 2$" -- "$athlete" train ppo Pendulum-v1 --resume v_straight/final.ckpt --envs 2
expect 0 "training ppo on Pendulum-v1 x 8 environments, steps 4000 to 4800" -- "$athlete" train ppo Pendulum-v1 --resume v_straight/final.ckpt --steps 800 --eval-episodes 1 --run-dir v_file

[ $failures -eq 0 ] || { echo "$failures run check(s) failed"; exit 1; }
echo "all run checks passed"
