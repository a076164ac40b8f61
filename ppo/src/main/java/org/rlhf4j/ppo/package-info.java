/** PPO over the shared rollout engine: actor, critic, reference and reward sources. */
package org.rlhf4j.ppo;
