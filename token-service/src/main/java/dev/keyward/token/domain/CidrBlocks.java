package dev.keyward.token.domain;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.CidrBlock;
import java.util.ArrayList;
import java.util.List;

/** Syntax of {@code allowed_cidrs} (the rules are the verification module's {@link CidrBlock}): IPv4 or IPv6 CIDR blocks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). */
public final class CidrBlocks {

    public static final int MAX_BLOCKS = 50;

    private CidrBlocks() {
    }

    /**
     * Checks every block; a bare address counts as a single host ({@code /32} or {@code /128}).
     *
     * @return the blocks in canonical {@code address/length} form
     * @throws ApiException 422 naming the first bad block
     */
    public static List<String> parseAll(List<String> blocks) {
        if (blocks == null) {
            return List.of();
        }
        if (blocks.size() > MAX_BLOCKS) {
            throw ApiException.invalid("allowed_cidrs may hold at most " + MAX_BLOCKS + " blocks");
        }
        List<String> out = new ArrayList<>();
        for (String block : blocks) {
            out.add(parse(block));
        }
        return List.copyOf(out);
    }

    /**
     * The blocks of {@code requested} that reach beyond {@code fence} (every requested block must lie
     * inside one fence block); empty when the fence holds them all or there is no fence.
     */
    public static List<String> outside(List<String> requested, List<String> fence) {
        if (fence.isEmpty()) {
            return List.of();
        }
        List<CidrBlock> allowed = fence.stream().map(CidrBlock::parse).toList();
        if (requested.isEmpty()) {
            return List.of("any address");
        }
        return requested.stream()
                .filter(block -> {
                    CidrBlock wanted = CidrBlock.parse(block);
                    return allowed.stream().noneMatch(a -> a.encloses(wanted));
                })
                .toList();
    }

    static String parse(String block) {
        if (block == null || block.isBlank()) {
            throw ApiException.invalid("allowed_cidrs entries must not be empty");
        }
        try {
            return CidrBlock.parse(block.strip()).canonical();
        } catch (IllegalArgumentException e) {
            throw bad(block.strip());
        }
    }

    private static ApiException bad(String block) {
        String shown = block.length() > 60 ? block.substring(0, 60) + "…" : block;
        return ApiException.invalid("'" + shown + "' is not an IPv4 or IPv6 CIDR block");
    }
}
