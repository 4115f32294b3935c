package dev.sigil.output.delivery;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A read-only view of the deliveries this replica holds, when each was last written, and what went wrong. */
@Path("/v1/deliveries")
public class DeliveriesResource {
    @Inject
    DeliveryService service;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<DeliveryService.DeliveryView> held() {
        return service.held();
    }
}
