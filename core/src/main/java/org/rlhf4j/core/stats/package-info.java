/** Point estimates with confidence intervals for evaluation reports (Wilson, bootstrap). */
package org.rlhf4j.core.stats;
