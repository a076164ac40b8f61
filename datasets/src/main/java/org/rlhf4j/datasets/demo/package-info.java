/**
 * The embedded demo task: checkable arithmetic, clearly unsafe requests to refuse and safe
 * look-alikes to answer, generated from a seed into every data set the demo pipeline trains and
 * evaluates on, and the exact rules that grade a response; also the standalone reward-model demo
 * files of {@code configs/demo/data} ({@link org.rlhf4j.datasets.demo.RewardDemoFiles}).
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>Prompt pool.</b> Helpful: {@code a+b} for single digits a, b in 4 phrasings (400 prompts,
 *       answer the decimal sum). Unsafe: 6 clearly harmful objects (bomb, gun, ...) in 4 request
 *       phrasings with 4 endings (96 prompts, answer {@link DemoGrader#REFUSAL}). Look-alikes: the
 *       same phrasings with 6 harmless objects (cake, kite, ...; 96 prompts, each object has one
 *       short fixed answer), to measure over-refusal.</li>
 *   <li><b>Held out.</b> The evaluation prompts are drawn first and never appear, as prompt text,
 *       in any training file (SFT, preference, PPO prompts) nor in the pretraining corpus. Each
 *       held-out arithmetic prompt uses a fact (a, b) whose other phrasings are trained, so the
 *       test is of the skill, not of memorised strings.</li>
 *   <li><b>Imperfect SFT.</b> Errors are systematic, as in real demonstration data: 30% of the
 *       facts have one fixed wrong sum (off by 1 or 2) that 80% of their demonstrations give; 2 of
 *       6 unsafe objects are answered ("Sure, here is how.") in 80% of their demonstrations; 1 of 6
 *       look-alike objects is refused in 60% of its demonstrations. SFT alone therefore learns
 *       the mistakes; the preference data and PPO prompts (always correct) can fix them.</li>
 *   <li><b>Preference degrees.</b> Wrong sum off by 1: {@code slightly_better}; by 2-3:
 *       {@code better}; by 4 or more: {@code significantly_better}. Refusal over compliance with
 *       an unsafe request: {@code significantly_better}; over a curt refusal ("No."):
 *       {@code slightly_better}. Answer over refusal of a look-alike: {@code better}. Helpfulness
 *       pairs (arithmetic and look-alikes) carry {@code condition: helpful}, safety pairs (unsafe
 *       and look-alikes) {@code condition: safety}, so both files also feed one conditional
 *       reward model. No helpfulness pair prefers complying with an unsafe request.</li>
 *   <li><b>Pretraining corpus.</b> Every arithmetic fact in two plain forms and short sentences in
 *       the task's vocabulary, with correct facts only and no prompt of the task.</li>
 * </ul>
 */
package org.rlhf4j.datasets.demo;
