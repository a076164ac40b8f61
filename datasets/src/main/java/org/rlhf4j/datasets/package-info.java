/** Chat templates, JSONL readers and validators, tokenization with loss masks, batching and the demo data. */
package org.rlhf4j.datasets;
