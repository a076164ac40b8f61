/** Text generation with a key/value cache: token sampling and single-prompt generation. */
package org.rlhf4j.core.generate;
