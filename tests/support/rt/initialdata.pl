# Request Tracker 5 data for the helpdesk-tray test desk (tests/support/rt_desk.py).
# Loaded with `rt-setup-database --action insert --datafile initialdata.pl` after the
# stock `--action init`. RT only logs (does not die on) a failed item, so the fixture
# fails the setup on any [error] line the loader prints.
#
# Rights: the MINIMAL set an employee (unprivileged user) needs, found by experiment
# against RT 5.0.3 over REST2 (tests/adapters/test_rt_fixture.py keeps the key facts true):
#
#   Unprivileged (system group), on queue "IT Helpdesk":
#     CreateTicket           POST /ticket in this queue.
#     SeeCustomField         read Report-ID on own tickets, AND set it on create: REST2
#                            looks the CF up by name as the caller, so without this right
#                            the value is dropped silently (201, no value, no message).
#     SetInitialCustomField  set Report-ID in POST /ticket. Without it (and without
#                            ModifyCustomField) RT answers 201 and silently drops the value.
#                            ModifyCustomField also works but is NOT needed, and it would
#                            let employees change the value later; with SetInitialCustomField
#                            a later PUT answers 200 ["Could not add a new value to custom
#                            field 'Report-ID': Permission Denied"].
#     SeeQueue               only for discovery: /queues/all and /queue/N (the tray's form).
#                            Creating works without it, but /queues/all is then empty.
#   Requestor (queue role), on queue "IT Helpdesk":
#     ShowTicket             read own tickets, history, attachments.
#     ReplyToTicket          POST /ticket/N/correspond (without it: 400 Permission Denied).
#     ModifyTicket           OPTIONAL: lets the tray resolve ("it fixed itself") and raise
#                            the priority. Without it PUT /ticket/N {"Status":"resolved"}
#                            (or Priority) answers 200 ["Ticket N: Permission Denied"] and
#                            changes nothing. Granted here.
#   Not granted: ShowOutgoingEmail (requestors would see auto-reply EmailRecord
#   transactions), CommentOnTicket, ShowTicketComments, and nothing at all on
#   "Management" (the queue employees cannot see).
#
#   Privileged + Unprivileged, on user CF "Photo": SeeCustomField (the agent's photo
#   comes through fields[Owner]=...,CustomFields; employees get 403 on /user/<agent>).
#
# Keep this block, EMPLOYEE_RIGHTS in tests/support/rt_desk.py and @ACL below in step.

use strict;
use warnings;

our ( @Groups, @Users, @Queues, @CustomFields, @ACL );

@Groups = (
    {   Name        => 'IT Staff',
        Description => 'Service desk agents',
    },
);

@Users = (
    {   Name         => 'joost',
        RealName     => 'Joost de Vries',
        EmailAddress => 'joost@helpdesk.test',
        Password     => 'rt-agent-pass1',
        Privileged   => 1,
        MemberOf     => 'IT Staff',
    },
    {   Name         => 'anna',
        RealName     => 'Anna Jansen',
        EmailAddress => 'anna@example.test',
        Organization => 'Finance',
        Password     => 'rt-employee-pass1',
        Privileged   => 0,
    },
    {   Name         => 'bram',
        RealName     => 'Bram Bakker',
        EmailAddress => 'bram@example.test',
        Password     => 'rt-employee-pass1',
        Privileged   => 0,
    },
);

@Queues = (
    {   Name              => 'IT Helpdesk',
        Description       => 'Where the tray files reports',
        CorrespondAddress => 'helpdesk@helpdesk.test',
        CommentAddress    => 'helpdesk-comment@helpdesk.test',
    },
    {   Name        => 'Management',
        Description => 'A queue employees cannot see',
    },
    {   Name        => 'Finance',
        Description => "A department's queue (the signed profile routes reports here)",
    },
);

@CustomFields = (
    {   Name        => 'Report-ID',
        Type        => 'FreeformSingle',
        LookupType  => 'RT::Queue-RT::Ticket',
        Description => 'The tray report that created the ticket',
        ApplyTo     => 'IT Helpdesk',
    },
    {   Name        => 'Photo',
        Type        => 'ImageSingle',
        LookupType  => 'RT::User',
        Description => 'Shown next to the agent in the tray',
    },
);

my @employee_rights = qw(CreateTicket SeeQueue SeeCustomField SetInitialCustomField);
my @requestor_rights = qw(ShowTicket ReplyToTicket);
my @optional_requestor_rights = qw(ModifyTicket);
my @agent_rights = qw(
    SeeQueue ShowTicket CreateTicket ReplyToTicket CommentOnTicket ModifyTicket OwnTicket
    TakeTicket StealTicket DeleteTicket ShowTicketComments SeeCustomField ModifyCustomField
    ShowOutgoingEmail Watch
);

@ACL = (
    (   map {
            (   {   Queue       => $_,
                    GroupDomain => 'SystemInternal',
                    GroupType   => 'Unprivileged',
                    Right       => [@employee_rights],
                },
                {   Queue       => $_,
                    GroupDomain => 'RT::Queue-Role',
                    GroupType   => 'Requestor',
                    Right       => [ @requestor_rights, @optional_requestor_rights ],
                },
            )
        } 'IT Helpdesk', 'Finance'
    ),
    # Agents work in both queues: moving a ticket needs CreateTicket in the target.
    (   map {
            {   Queue       => $_,
                GroupDomain => 'UserDefined',
                GroupId     => 'IT Staff',
                Right       => [@agent_rights],
            }
        } 'IT Helpdesk', 'Management', 'Finance'
    ),
    {   GroupDomain => 'UserDefined',
        GroupId     => 'IT Staff',
        Right       => 'ShowUserHistory',
    },
    (   map {
            {   CF          => 'Photo',
                LookupType  => 'RT::User',
                GroupDomain => 'SystemInternal',
                GroupType   => $_,
                Right       => 'SeeCustomField',
            }
        } 'Privileged', 'Unprivileged'
    ),
);

1;
