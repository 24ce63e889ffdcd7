global using CsCheck;
global using Reliability.Domain.Events;
global using Reliability.Domain.Model;
global using Reliability.Domain.Scoring;
global using static Reliability.Domain.Tests.History;
