package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published recipes of {@code configs/recipes/} run end to end at reduced length (a 2-layer model, a few
 * steps per stage, 16 held-out prompts) and show the direction of their main claim where it holds at that
 * length, else the direction of what the recipe does reliably at full length over seeds. The full-length
 * numbers over seeds are measured by hand (README, "Published recipes").
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
    private static final String[] SHORT_RS = {"rs.num_samples=4", "rs.max_new_tokens=16", "rs.batch_size=32"};

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
     * Llama 2-Chat: rejection sampling by the safety gate does not raise over-refusal of the safe look-alikes
     * (at full length: at or below SFT's in every seed of 3). The recipe's main claim, refusal of unsafe requests
     * rising, held in every seed at full length but not here: the short SFT model samples no whole refusal at
     * temperature 1, so there is none to select.
     */
    @Test
    void llama2ChatGateKeepsOverRefusalDown() throws Exception {
        List<String> o = new ArrayList<>();
        o.addAll(set("rm_helpful", SHORT_RM));
        o.addAll(set("rm_safety", SHORT_RM));
        o.addAll(set("rs", SHORT_RS));
        o.addAll(set("sft_rs", "train.max_steps=10"));
        o.addAll(set("ppo", SHORT_PPO));
        JsonNode rows = evalRows("llama2-chat", o);
        assertOverRefusalBelowSft(rows, "rejection_sampling", false);
    }

    /**
     * Llama 3: DPO with the NLL term on RS + demo pairs lowers over-refusal below SFT's (at full length in every
     * seed of 3, 0.21 to 0.02). Its accuracy gain over SFT (every seed at full length) does not hold at this
     * length (DPO 10 steps from a 2-layer model), so it is not checked.
     */
    @Test
    void llama3DpoLowersOverRefusal() throws Exception {
        List<String> o = new ArrayList<>();
        o.addAll(set("rm_helpful", SHORT_RM));
        o.addAll(set("rm_safety", SHORT_RM));
        o.addAll(set("rs", SHORT_RS));
        o.addAll(set("sft_rs", "train.max_steps=10"));
        o.addAll(set("dpo", "train.max_steps=10", "train.eval_every=0"));
        // round 2 is not checked here: kept as short as the stages allow so the test's time stays that of one round
        o.addAll(set("rs2", "rs.num_samples=2", "rs.max_new_tokens=8", "rs.batch_size=32"));
        o.addAll(set("sft_rs2", "train.max_steps=2"));
        o.addAll(set("dpo2", "train.max_steps=2", "train.eval_every=0"));
        JsonNode rows = evalRows("llama3-post", o);
        assertOverRefusalBelowSft(rows, "dpo", true);
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
