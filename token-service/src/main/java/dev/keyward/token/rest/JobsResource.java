package dev.keyward.token.rest;

import dev.keyward.contract.ApiException;
import dev.keyward.token.auth.InternalCaller;
import dev.keyward.token.jobs.JobSummary;
import dev.keyward.token.jobs.Jobs;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Runs a scheduled job now: {@code POST /internal/jobs/{expiry|deprecation|notifications}/run}
 * behind the internal secret (jobs are cluster-wide, not an org's business). 200 with the run's
 * summary; {@code ran: false} when another run held the job's lock.
 */
@Path("/internal/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    private final InternalCaller internal;
    private final Jobs jobs;

    public JobsResource(InternalCaller internal, Jobs jobs) {
        this.internal = internal;
        this.jobs = jobs;
    }

    @POST
    @Path("/{name}/run")
    public Uni<JobSummary> run(@HeaderParam(InternalCaller.HEADER) String secret, @PathParam("name") String name) {
        internal.require(secret);
        // The jobs use blocking JDBC and SMTP/HTTP calls: run them off the event loop.
        return Uni.createFrom().item(() -> jobs.run(name)
                        .orElseThrow(() -> ApiException.notFound("no job named that; jobs: "
                                + String.join(", ", new java.util.TreeSet<>(jobs.names())))))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
