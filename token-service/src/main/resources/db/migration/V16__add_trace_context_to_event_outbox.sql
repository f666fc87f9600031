-- The W3C traceparent of the request that wrote the event (null with tracing off, or for a job):
-- the relay publishes later, from its own thread, and continues that trace in the record's headers.
alter table event_outbox add column traceparent text;
