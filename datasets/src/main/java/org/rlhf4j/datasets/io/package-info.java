/**
 * Strict line-oriented reading of data files: UTF-8 decoding that reports malformed bytes with
 * their line, and the fail-or-skip policy for bad records ({@code FILE:LINE: what is wrong}).
 */
package org.rlhf4j.datasets.io;
