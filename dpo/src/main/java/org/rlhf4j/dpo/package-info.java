/** Direct preference optimisation and its variants against a frozen reference. */
package org.rlhf4j.dpo;
