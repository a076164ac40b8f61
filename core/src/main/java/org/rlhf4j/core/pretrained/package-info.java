/**
 * Model directories as a whole: loading a model with its tokenizer and generation defaults,
 * saving it back, and creating new random models ({@code rlhf4j init}).
 */
package org.rlhf4j.core.pretrained;
