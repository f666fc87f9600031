package dev.keyward.repo.rest;

/** Body of {@code POST /v1/repos}; {@code id} absent means "generate a UUID". */
public record CreateRepositoryRequest(String id) {
}
