#!/usr/bin/perl
# Mint one REST2 auth token per user name given, printing "name<TAB>authstring" lines.
# RT 5.0.3 has no REST2 endpoint for tokens, so this uses RT's own libraries. Run with
# RT_SITE_CONFIG and RT_SITE_CONFIG_DIR set, and -I pointing at RT's lib directory.
use strict;
use warnings;

use RT;
RT::LoadConfig();
RT::Init();

die "usage: mint-tokens.pl USER...\n" unless @ARGV;

for my $name (@ARGV) {
    my $user = RT::User->new( RT->SystemUser );
    my ( $found, $why ) = $user->Load($name);
    die "no RT user '$name': $why\n" unless $found && $user->Id;

    my $token = RT::AuthToken->new( RT->SystemUser );
    my ( $id, $msg, $authstring ) = $token->Create(
        Owner       => $user->Id,
        Description => 'helpdesk-tray tests',
    );
    die "no token for '$name': $msg\n" unless $id;
    print "$name\t$authstring\n";
}
