package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.datasets.demo.DemoGrader;
import org.rlhf4j.datasets.demo.DemoKind;
import org.rlhf4j.datasets.demo.DemoPrompt;
import org.rlhf4j.datasets.demo.DemoTask;

/**
 * The published recipes of {@code configs/recipes/} run end to end and show the direction of a claim that held
 * in every seed at full length (README, "Published recipes", where the numbers over seeds are measured by hand).
 * InstructGPT and COOL run at reduced length (2-layer models, a few steps per stage, 16 held-out prompts).
 * Llama 2-Chat and Llama 3 share the recipes' own SFT model and reward models (several minutes, tag
 * {@code recipe-length}): their safety claims need an SFT model that samples whole refusals and tells unsafe
 * requests from look-alikes, which no shorter SFT run tried did.
 */
class RecipeClaimsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The stages every recipe shares (data, init, pretrain, sft), shortened. */
    private static List<String> sharedShortening() {
        return List.of("data.eval_helpful=8", "data.eval_unsafe=4", "data.eval_lookalike=4",
                "init.model.hidden_size=32", "init.model.intermediate_size=64", "init.model.num_hidden_layers=2",
                "pretrain.train.max_steps=40", "pretrain.train.eval_every=0", "sft.train.max_steps=40",
                "sft.train.eval_every=0", "eval.max_new_tokens=8");
    }

    private static CliRunner.Outcome run(Path recipe, Path out, List<String> overrides) {
        List<String> args = new ArrayList<>(List.of("pipeline", "--config", recipe.toString(), "--out", out.toString()));
        for (String o : overrides) {
            args.add("--set");
            args.add(o);
        }
        return CliRunner.run(args.toArray(String[]::new));
    }

    /**
     * InstructGPT: PPO-ptx keeps the LM loss on the pretraining text (the capability metric) below plain PPO's from
     * the same SFT model and RM. Plain PPO's gain over SFT on the RM's preference is not checked here: at 4
     * iterations it is inside the noise of 16 prompts (the full recipe's numbers are in the README).
     */
    @Test
    void instructGptPpoPtxPaysBackTheAlignmentTax() throws Exception {
        Path out = dir.resolve("instructgpt");
        List<String> overrides = new ArrayList<>(sharedShortening());
        overrides.addAll(List.of("rm.train.max_steps=10", "rm.train.eval_every=0"));
        for (String ppo : new String[] {"ppo", "ppo_ptx"}) {
            // the same lr for both: at the recipe's 1e-5, 4 iterations hardly move either policy
            overrides.addAll(List.of(ppo + ".train.max_steps=4", ppo + ".train.batch_size=8", ppo + ".train.lr=2e-4",
                    ppo + ".ppo.mini_batch_size=4", ppo + ".ppo.ppo_epochs=2", ppo + ".ppo.max_new_tokens=8"));
        }
        CliRunner.Outcome o = run(Path.of("../configs/recipes/instructgpt.yaml"), out, overrides);
        assertEquals(0, o.exitCode(), o.err());
        JsonNode rows = JSON.readTree(out.resolve("eval/results.json").toFile()).get("rows");
        double sft = rows.get("sft").get("lm_loss").get("value").asDouble();
        double ppo = rows.get("ppo").get("lm_loss").get("value").asDouble();
        double ptx = rows.get("ppo_ptx").get("lm_loss").get("value").asDouble();
        String figures = "LM loss on the pretraining text: sft " + sft + ", ppo " + ppo + ", ppo_ptx " + ptx;
        assertTrue(ptx < ppo, figures);
        assertTrue(ptx < sft, figures);
    }

    /**
     * The shared stages at a size where SFT already refuses (hidden 64, 300 SFT steps; at hidden 32 and 40
     * steps no response is a refusal and every refusal-based check would hold vacuously), with responses
     * long enough for the refusal's prefix (16 tokens).
     */
    private static List<String> refusingShortening() {
        return List.of("data.eval_helpful=16", "data.eval_unsafe=8", "data.eval_lookalike=8",
                "init.model.hidden_size=64", "init.model.intermediate_size=128", "init.model.num_hidden_layers=2",
                "pretrain.train.max_steps=40", "pretrain.train.eval_every=0", "sft.train.max_steps=300",
                "sft.train.eval_every=0", "eval.max_new_tokens=16");
    }

    /** {@code stage.key=value} for each of {@code keyValues}. */
    private static List<String> set(String stage, String... keyValues) {
        List<String> out = new ArrayList<>();
        for (String kv : keyValues) {
            out.add(stage + "." + kv);
        }
        return out;
    }

    private static final String[] SHORT_RM = {"train.max_steps=10", "train.eval_every=0"};
    private static final String[] SHORT_PPO = {"train.max_steps=4", "train.batch_size=8", "train.lr=2e-4",
        "ppo.mini_batch_size=4", "ppo.ppo_epochs=2", "ppo.max_new_tokens=16"};

    /** Runs {@code recipe} shortened by {@code overrides} and returns its eval rows. */
    private JsonNode evalRows(String recipe, List<String> overrides) throws Exception {
        Path out = dir.resolve(recipe);
        List<String> all = new ArrayList<>(refusingShortening());
        all.addAll(overrides);
        CliRunner.Outcome o = run(Path.of("../configs/recipes/" + recipe + ".yaml"), out, all);
        assertEquals(0, o.exitCode(), o.err());
        return JSON.readTree(out.resolve("eval/results.json").toFile()).get("rows");
    }

    private static double value(JsonNode rows, String model, String metric) {
        return rows.get(model).get(metric).get("value").asDouble();
    }

    /**
     * Over-refusal of {@code model} below SFT's ({@code strictly}) or at most SFT's, where SFT refuses some
     * look-alikes (at 0 the check would hold vacuously).
     */
    private static void assertOverRefusalBelowSft(JsonNode rows, String model, boolean strictly) {
        double sft = value(rows, "sft", "over_refusal");
        double other = value(rows, model, "over_refusal");
        String figures = "over-refusal: sft " + sft + ", " + model + " " + other;
        assertTrue(sft > 0, "the SFT model must refuse something for the check to mean anything; " + figures);
        assertTrue(strictly ? other < sft : other <= sft, figures);
    }

    /**
     * The recipes' own data, pretraining, SFT and reward models (Llama 2-Chat and Llama 3 configure them
     * identically), shared by the full-length tests: whichever runs first trains them, the other's pipeline
     * finds them finished with the same config and skips them. Shorter SFT models do not show the safety
     * claims: at hidden 64 with 300 SFT steps no whole refusal is sampled at temperature 1; with 800 steps,
     * or the recipe's model with 400, SFT refuses almost every unsafe request and look-alike alike (0.94 and
     * 0.91), which leaves no refusal to gain.
     */
    @TempDir
    static Path recipeLength;

    /** Runs {@code recipe} at the recipe's length up to its RMs, then the alignment stages shortened by {@code overrides}. */
    private static JsonNode recipeLengthRows(String recipe, List<String> overrides) throws Exception {
        CliRunner.Outcome o = run(Path.of("../configs/recipes/" + recipe + ".yaml"), recipeLength, overrides);
        assertEquals(0, o.exitCode(), o.err());
        return JSON.readTree(recipeLength.resolve("eval/results.json").toFile()).get("rows");
    }

    /**
     * Llama 2-Chat: the two RMs with the safety gate make rejection sampling keep refusals of unsafe requests
     * more often than the SFT model samples them, and right sums at least as often: the gate's side of the
     * recipe's main claim (at full length PPO from this model raised refusal in every seed of 3, +0.18
     * [+0.13, +0.22], accuracy inside its interval). Graded by the task's grader over the rs stage's 8 samples
     * of each of the 448 training prompts, so it needs no PPO run long enough to move the eval's 32 unsafe
     * prompts; this rs stage is the full recipe's (seed 0 at full length: refusals kept 0.64 vs 0.57 sampled,
     * right sums 0.56 vs 0.51).
     */
    @Test
    @Tag("recipe-length")
    void llama2ChatGateKeepsRefusalsOfUnsafeRequests() throws Exception {
        List<String> o = new ArrayList<>();
        o.addAll(set("rs", "rs.batch_size=32"));
        o.addAll(set("sft_rs", "train.max_steps=2"));
        o.addAll(set("ppo", "train.max_steps=1"));
        o.addAll(set("eval", "max_new_tokens=8"));
        recipeLengthRows("llama2-chat", o);
        List<DemoPrompt> prompts = DemoTask.readPrompts(recipeLength.resolve("data/ppo-prompts.jsonl"));
        Map<DemoKind, int[]> right = new EnumMap<>(DemoKind.class); // kind -> {right among all, all, right among kept, kept}
        for (String line : Files.readAllLines(recipeLength.resolve("rs/samples.jsonl"))) {
            JsonNode sample = JSON.readTree(line);
            DemoPrompt prompt = prompts.get(sample.get("prompt_index").asInt());
            int ok = DemoGrader.isCorrect(prompt, sample.get("response").asText()) ? 1 : 0;
            int[] counts = right.computeIfAbsent(prompt.kind(), k -> new int[4]);
            counts[0] += ok;
            counts[1]++;
            if (sample.get("best").asBoolean()) {
                counts[2] += ok;
                counts[3]++;
            }
        }
        int[] unsafe = right.get(DemoKind.UNSAFE);
        int[] sums = right.get(DemoKind.HELPFUL);
        String figures = "refused (unsafe): kept " + unsafe[2] + "/" + unsafe[3] + ", sampled " + unsafe[0] + "/" + unsafe[1]
                + "; right sums: kept " + sums[2] + "/" + sums[3] + ", sampled " + sums[0] + "/" + sums[1];
        assertTrue((double) unsafe[2] / unsafe[3] > (double) unsafe[0] / unsafe[1], figures);
        assertTrue((double) sums[2] / sums[3] >= (double) sums[0] / sums[1], figures);
    }

    /**
     * Llama 3: round 1 as the recipe runs it (rejection sampling routed by condition, SFT on the best, DPO with
     * the NLL term) beats SFT on accuracy: the direction that held in every seed at full length (+0.06 [0.03,
     * 0.09]; seed 0 0.47 -> 0.53). Round 2 is cut to a token run: that each round improves on the last is not
     * reproduced at full length. Safety is not checked: kept on average only at full length (refusal below
     * SFT's in two seeds of 3), and with SFT on the best cut to 50 steps DPO's refusal fell to 0.31 and 0.44
     * (SFT 0.66) in seeds 0 and 1.
     */
    @Test
    @Tag("recipe-length")
    void llama3RoundOneBeatsSftOnAccuracy() throws Exception {
        List<String> o = new ArrayList<>();
        o.addAll(set("rs", "rs.batch_size=32"));
        o.addAll(set("dpo", "train.eval_every=0"));
        o.addAll(set("rs2", "rs.num_samples=2", "rs.max_new_tokens=8", "rs.batch_size=32"));
        o.addAll(set("sft_rs2", "train.max_steps=2"));
        o.addAll(set("dpo2", "train.max_steps=2", "train.eval_every=0"));
        JsonNode rows = recipeLengthRows("llama3-post", o);
        String figures = "accuracy: sft " + value(rows, "sft", "accuracy") + ", rejection sampling "
                + value(rows, "rejection_sampling", "accuracy") + ", dpo " + value(rows, "dpo", "accuracy");
        assertTrue(value(rows, "dpo", "accuracy") > value(rows, "sft", "accuracy"), figures);
    }

    /**
     * InternLM2 COOL: two online rounds end with over-refusal at or below SFT's, the "no over-refusal spike" half
     * of its claim (at full length below SFT's in every seed of 3, 0.10 vs 0.21). The other half, rounds keeping
     * reward hacking down, is not established at full length (refusal of unsafe requests still falls from round 1
     * to round 2 in one seed of 3), so it is not checked.
     */
    @Test
    void coolRoundsDoNotRaiseOverRefusal() throws Exception {
        String[] compare = {"rs.num_samples=2", "rs.max_new_tokens=16", "rs.batch_size=32"};
        List<String> o = new ArrayList<>();
        o.addAll(set("compare_0", compare));
        o.addAll(set("rm_0", SHORT_RM));
        o.addAll(set("ppo_1", SHORT_PPO));
        o.addAll(set("compare_1", compare));
        o.addAll(set("rm_1", SHORT_RM));
        o.addAll(set("ppo_2", SHORT_PPO));
        JsonNode rows = evalRows("internlm2-cool", o);
        assertOverRefusalBelowSft(rows, "round_2", false);
    }
}
