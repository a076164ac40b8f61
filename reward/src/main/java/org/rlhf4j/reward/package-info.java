/** Reward models trained with a margin ranking loss, with preference-degree margins and conditions. */
package org.rlhf4j.reward;
