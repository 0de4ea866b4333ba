using Notify.Core.Users;

namespace Notify.Core.Tests.Users;

/// <summary>The user bodies bind to records with every error listed at once, the route's values among them.</summary>
public sealed class UserRequestTests
{
    [Fact]
    public void Put_user_lists_the_route_user_id_with_every_body_error()
    {
        var errors = new ValidationErrors();

        var request = PutUserRequest.Parse("bad id!", Json.Parse("""{"email":"nope","phone":"123","timeZone":"Mars/Base","nickname":"x"}"""), errors);

        Assert.Null(request);
        Assert.Equal(["email", "nickname", "phone", "timeZone", "userId"], errors.ToDictionary().Keys.Order());
    }

    [Fact]
    public void Put_user_binds_the_contacts_of_a_valid_body()
    {
        var errors = new ValidationErrors();

        var request = PutUserRequest.Parse("u1", Json.Parse("""{"email":"a@example.com","locale":"ko-KR","timeZone":"Asia/Seoul"}"""), errors);

        Assert.True(errors.IsEmpty);
        Assert.Equal(new PutUserRequest("u1", new UserContacts("a@example.com", null, "ko-KR", "Asia/Seoul")), request);
    }

    [Fact]
    public void Put_device_lists_user_id_token_and_platform_together()
    {
        var errors = new ValidationErrors();

        var request = PutDeviceRequest.Parse("bad id!", "short", Json.Parse("""{"platform":"wns","extra":true}"""), errors);

        Assert.Null(request);
        Assert.Equal(["extra", "platform", "token", "userId"], errors.ToDictionary().Keys.Order());
    }

    [Fact]
    public void Put_preferences_keeps_unnamed_channels_unset()
    {
        var errors = new ValidationErrors();

        var request = PutPreferencesRequest.Parse("u1", Json.Parse("""{"sms":false}"""), errors);

        Assert.Equal(new ChannelPreferences(null, null, false), request?.Preferences);
    }

    [Fact]
    public void Batch_shape_errors_refuse_the_whole_body_and_bind_no_entry()
    {
        var errors = new ValidationErrors();

        var request = UserBatchRequest.Parse(Json.Parse("""{"users":[{"userId":"u1"}],"dryRun":"yes","mode":1}"""), errors);

        Assert.Null(request);
        Assert.Equal(["dryRun", "mode"], errors.ToDictionary().Keys.Order());
    }

    [Fact]
    public void Batch_entry_errors_stay_with_their_entry_and_the_body_still_binds()
    {
        var errors = new ValidationErrors();

        var request = UserBatchRequest.Parse(Json.Parse("""
            {"users":[
              {"userId":"u1","phone":"123"},
              {"userId":"u1","devices":[{"token":"token-0123456789","platform":"fcm"},{"token":"token-0123456789","platform":"fcm"}]},
              {"userId":"u2","devices":[{"token":"token-0123456789","platform":"apns"}],"preferences":{"push":false}},
              7
            ]}
            """), errors);

        Assert.True(errors.IsEmpty);
        Assert.NotNull(request);
        Assert.Equal(["users[0].phone"], request.Users[0].Errors!.Keys);
        // An entry invalid for a contact field still claims its userId: a later entry with it is a repeat.
        Assert.Equal(["users[1].devices[1].token", "users[1].userId"], request.Users[1].Errors!.Keys.Order());
        Assert.Equal("u1", request.Users[1].UserId);
        Assert.Null(request.Users[2].Errors);
        Assert.Equal([new DeviceRegistration("token-0123456789", DevicePlatform.Apns)], request.Users[2].User!.Devices);
        Assert.Equal(new ChannelPreferences(false, null, null), request.Users[2].User!.Preferences);
        Assert.Null(request.Users[3].User);
        Assert.Null(request.Users[3].UserId);
    }

    [Fact]
    public void Batch_devices_over_the_configured_limit_are_an_entry_error()
    {
        var errors = new ValidationErrors();
        var limits = new Core.Apps.LimitOptions { MaxDevicesPerUser = 1 };

        var request = UserBatchRequest.Parse(Json.Parse("""
            {"users":[{"userId":"u1","devices":[{"token":"token-0123456789","platform":"fcm"},{"token":"token-9876543210","platform":"fcm"}]}]}
            """), errors, limits);

        Assert.Equal(["users[0].devices"], request!.Users[0].Errors!.Keys);
    }

    [Fact]
    public void Batch_count_is_read_without_binding_and_is_null_without_a_users_array()
    {
        Assert.Equal(2, UserBatchRequest.CountUsers(Json.Parse("""{"users":[1,2]}""")));
        Assert.Null(UserBatchRequest.CountUsers(Json.Parse("""{"users":{}}""")));
        Assert.Null(UserBatchRequest.CountUsers(Json.Parse("[]")));
    }
}
